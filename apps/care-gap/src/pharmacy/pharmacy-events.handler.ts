import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { PharmacySignalsService, type PharmacyEvent } from './pharmacy-signals.service';

/** Kafka adapter: the pharmacy events that open, confirm or close gaps. */
@Controller()
export class PharmacyEventsHandler {
  constructor(private readonly signals: PharmacySignalsService) {}

  @HandlesEvent(
    'pharmacy.task-created',
    'pharmacy.need-flagged',
    'pharmacy.task-escalated',
    'pharmacy.task-completed',
    'pharmacy.task-cancelled',
    'pharmacy.patient-expired',
  )
  async onPharmacyEvents(@Payload() run: EventRun<PharmacyEvent>): Promise<void> {
    await run.each((event) => this.signals.handle(event));
  }
}
