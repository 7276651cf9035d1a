import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { ENCOUNTER_EVENT_TYPES, EncounterWorkService, type EncounterEvent } from './encounter-work.service';

/** Kafka adapter: every encounter event this service cares about goes to one application method. */
@Controller()
export class EncounterEventsHandler {
  constructor(private readonly work: EncounterWorkService) {}

  @HandlesEvent(...ENCOUNTER_EVENT_TYPES)
  async onEncounterEvents(@Payload() run: EventRun<EncounterEvent>): Promise<void> {
    await this.work.handleRun(run);
  }
}
