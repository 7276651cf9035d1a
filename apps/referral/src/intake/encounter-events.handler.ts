import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { EncounterIntakeService, type EncounterEvent } from './encounter-intake.service';

/** Kafka adapter: every encounter event this service cares about goes to one application method. */
@Controller()
export class EncounterEventsHandler {
  constructor(private readonly intake: EncounterIntakeService) {}

  @HandlesEvent(
    'encounter.admitted',
    'encounter.transferred',
    'encounter.discharged',
    'encounter.updated',
    'encounter.admission-cancelled',
    'encounter.discharge-cancelled',
    'patient.merged',
  )
  async onEncounterEvents(@Payload() run: EventRun<EncounterEvent>): Promise<void> {
    await run.each((event) => this.intake.handle(event));
  }
}
