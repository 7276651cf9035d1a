import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Req } from '@nestjs/common';
import { ApiBody, ApiConflictResponse, ApiConsumes, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Roles } from '@sc/security';
import { HL7_CONTENT_TYPES } from '../http/hl7-messages.controller';
import { RejectSearchDto } from './operator.dto';
import { OperatorService } from './operator.service';
import { RejectDetailView, RejectPageView, ReplayView } from './operator.views';

/** Messages answered with a NAK: find them, read them (masked), replay them once fixed. Every call is in the audit log (the reject id is in its resource). */
@ApiTags('operations')
@Controller('v1/rejects')
export class RejectsController {
  constructor(private readonly operator: OperatorService) {}

  @Get()
  @Roles('admin')
  @ApiOkResponse({ type: RejectPageView, description: 'Newest first; no message text in the list.' })
  search(@Query() query: RejectSearchDto): Promise<RejectPageView> {
    return this.operator.searchRejects(query);
  }

  @Get(':id')
  @Roles('admin')
  @ApiOkResponse({ type: RejectDetailView })
  @ApiNotFoundResponse()
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<RejectDetailView> {
    return this.operator.reject(id);
  }

  @Post(':id/replay')
  @HttpCode(200)
  @Roles('admin')
  @ApiConsumes(...HL7_CONTENT_TYPES)
  @ApiBody({ required: false, description: 'The corrected message (ER7). Without a body the stored (masked) message is replayed.', schema: { type: 'string' } })
  @ApiOkResponse({ type: ReplayView, description: 'What ingest made of the replayed message; the reject is settled when it was stored.' })
  @ApiNotFoundResponse()
  @ApiConflictResponse({ description: 'Already replayed, or the raw text was purged and no corrected message was sent.' })
  replay(@Param('id', new ParseUUIDPipe()) id: string, @Req() request: Request): Promise<ReplayView> {
    const corrected = Buffer.isBuffer(request.body) && request.body.length > 0 ? request.body : undefined;
    return this.operator.replay(id, corrected);
  }
}
