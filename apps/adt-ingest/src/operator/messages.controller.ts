import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditPatient, Roles } from '@sc/security';
import { MessageSearchDto } from './operator.dto';
import { OperatorService } from './operator.service';
import { MessageDetailView, MessagePageView } from './operator.views';

/** The interface team's view of what hospitals sent. Reads are audited with the patients they touched. */
@ApiTags('operations')
@Controller('v1/messages')
export class MessagesController {
  constructor(private readonly operator: OperatorService) {}

  @Get()
  @Roles('admin')
  @AuditPatient((_request, page) => (page as MessagePageView | undefined)?.items.map((item) => item.subject) ?? [])
  @ApiOkResponse({ type: MessagePageView, description: 'Newest first; no message text in the list.' })
  search(@Query() query: MessageSearchDto): Promise<MessagePageView> {
    return this.operator.searchMessages(query);
  }

  @Get(':id')
  @Roles('admin')
  @AuditPatient((_request, message) => [(message as MessageDetailView | undefined)?.subject])
  @ApiOkResponse({ type: MessageDetailView, description: 'The message as received (SSNs masked) and the acknowledgments sent.' })
  @ApiNotFoundResponse()
  get(@Param('id', new ParseUUIDPipe()) id: string): Promise<MessageDetailView> {
    return this.operator.message(id);
  }
}
