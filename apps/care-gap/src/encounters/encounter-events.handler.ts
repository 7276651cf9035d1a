import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { EncounterContextService, type EncounterEvent } from './encounter-context.service';

/** Kafka adapter: the encounter events that carry clinical context or a death. */
@Controller()
export class EncounterEventsHandler {
  constructor(private readonly encounters: EncounterContextService) {}

  @HandlesEvent('encounter.discharged', 'encounter.updated', 'encounter.transferred')
  async onEncounterEvents(@Payload() run: EventRun<EncounterEvent>): Promise<void> {
    await run.each((event) => this.encounters.handle(event));
  }
}
