import { Controller, ForbiddenException, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { IsOptional, IsString, Matches } from 'class-validator';
import { AllowTokenInQuery, CurrentPrincipal, NoTeamScope, Roles, type Principal } from '@sc/security';
import { SERVICE_CONFIG } from '@sc/platform';
import type { NotifierConfig } from '../config';
import { StreamService } from './stream.service';

export class StreamQueryDto {
  @ApiPropertyOptional({ description: 'Resume point for clients that cannot set the Last-Event-ID header.' })
  @IsOptional()
  @Matches(/^\d{1,18}$/)
  lastEventId?: string;

  @ApiPropertyOptional({ description: 'Bearer token for EventSource clients, which cannot send an Authorization header.' })
  @IsOptional()
  @IsString()
  access_token?: string;
}

@ApiTags('streams')
@Controller('v1/streams')
export class StreamsController {
  constructor(
    private readonly streams: StreamService,
    @Inject(SERVICE_CONFIG) private readonly config: NotifierConfig,
  ) {}

  /** Server-Sent Events: a person's (or team pool's) notifications; resumes after Last-Event-ID. */
  @Get(':kind/:id')
  @Roles('pharmacist', 'nurse', 'team-lead', 'supervisor')
  @NoTeamScope('a stream is opened only by its user or a member of its team (checked in open)')
  @AllowTokenInQuery()
  @ApiHeader({ name: 'Last-Event-ID', required: false })
  @ApiOkResponse({ description: 'text/event-stream; each event id is the delivery sequence number.' })
  async open(
    @Param('kind') kind: string,
    @Param('id') id: string,
    @Query() query: StreamQueryDto,
    @Headers('last-event-id') lastEventIdHeader: string | undefined,
    @Req() request: Request,
    @Res() response: Response,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    const recipient = this.streams.recipientFrom(kind, id);
    // One's own stream, one's own team's pool; supervisors may watch any.
    const mine = kind === 'users' ? principal.id === id : principal.teams.includes(id);
    if (!mine && !principal.roles.includes('supervisor')) {
      throw new ForbiddenException('this stream belongs to someone else');
    }
    const resumeAfter = this.streams.resumePoint(lastEventIdHeader ?? query.lastEventId);
    await this.streams.serve(recipient, resumeAfter, request, response, this.config);
  }
}
