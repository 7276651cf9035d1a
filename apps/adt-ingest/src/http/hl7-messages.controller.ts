import { BadRequestException, Controller, Header, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { IngestService } from '../ingest/ingest.service';

export const HL7_CONTENT_TYPES = ['application/hl7-v2', 'x-application/hl7-v2+er7', 'text/plain'];

/** HTTP transport for feeds that cannot speak MLLP: POST raw ER7, get the ACK back. */
@ApiTags('hl7')
@Controller('v1/hl7')
export class Hl7MessagesController {
  constructor(private readonly ingest: IngestService) {}

  @Post('messages')
  @HttpCode(200)
  @Header('Content-Type', 'application/hl7-v2; charset=utf-8')
  @ApiConsumes(...HL7_CONTENT_TYPES)
  @ApiProduces('application/hl7-v2')
  @ApiBody({ description: 'One HL7 v2 message in ER7 encoding.', schema: { type: 'string' } })
  @ApiOkResponse({ description: 'The HL7 acknowledgment (AA, or AE/AR with an ERR segment).' })
  async receive(@Req() request: Request): Promise<string> {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
      throw new BadRequestException(`body must be an HL7 v2 message sent as ${HL7_CONTENT_TYPES.join(' or ')}`);
    }
    const outcome = await this.ingest.receive(request.body, 'http');
    return outcome.ack;
  }
}
