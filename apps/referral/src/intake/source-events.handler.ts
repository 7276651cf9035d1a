import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { SourceIntakeService, type SourceEvent } from './source-intake.service';

/** Kafka adapter for care-gap and pharmacy events: one application method. */
@Controller()
export class SourceEventsHandler {
  constructor(private readonly intake: SourceIntakeService) {}

  @HandlesEvent(
    'care-gap.opened',
    'care-gap.updated',
    'care-gap.closed',
    'pharmacy.need-flagged',
    'pharmacy.medication-reconciled',
    'pharmacy.task-completed',
    'pharmacy.patient-expired',
  )
  async onSourceEvents(@Payload() run: EventRun<SourceEvent>): Promise<void> {
    await run.each((event) => this.intake.handle(event));
  }
}
