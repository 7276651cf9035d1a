import { BadRequestException, Controller, HttpStatus, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiNoContentResponse, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Roles } from '@sc/security';
import { IngestService } from '../ingest/ingest.service';

export const HL7_CONTENT_TYPES = ['application/hl7-v2', 'x-application/hl7-v2+er7', 'text/plain'];

/** The raw ER7 body of a request, or a 400 naming the content types we read. */
export function hl7Body(request: Request): Buffer {
  if (!Buffer.isBuffer(request.body) || request.body.length === 0) {
    throw new BadRequestException(`body must be an HL7 v2 message sent as ${HL7_CONTENT_TYPES.join(' or ')}`);
  }
  return request.body;
}

/** HTTP transport for feeds that cannot speak MLLP: POST raw ER7, get the acknowledgment back. */
@ApiTags('hl7')
@Controller('v1/hl7')
export class Hl7MessagesController {
  constructor(private readonly ingest: IngestService) {}

  @Post('messages')
  @Roles('integration')
  @ApiConsumes(...HL7_CONTENT_TYPES)
  @ApiProduces('application/hl7-v2')
  @ApiBody({ description: 'One HL7 v2 message in ER7 encoding.', schema: { type: 'string' } })
  @ApiOkResponse({
    description:
      'The HL7 acknowledgment (AA, or AE/AR with an ERR segment). In enhanced mode the commit acknowledgment, followed in the same body by the application acknowledgment when MSH-16 asks for one.',
  })
  @ApiNoContentResponse({ description: 'Enhanced mode, and MSH-15/MSH-16 asked for no acknowledgment.' })
  async receive(@Req() request: Request, @Res() response: Response): Promise<void> {
    const outcome = await this.ingest.receive(hl7Body(request), 'http');
    if (outcome.acks.length === 0) {
      response.status(HttpStatus.NO_CONTENT).end();
      return;
    }
    response.status(HttpStatus.OK).type('application/hl7-v2; charset=utf-8').send(outcome.acks.join(''));
  }
}
