import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent } from '@sc/messaging';
import { EpisodeCancellationService } from './episode-cancellation.service';

@Controller()
export class EncounterEventsHandler {
  constructor(private readonly cancellations: EpisodeCancellationService) {}

  @HandlesEvent('encounter.discharge-cancelled')
  async onDischargeCancelled(@Payload() event: EventEnvelope<'encounter.discharge-cancelled'>): Promise<void> {
    await this.cancellations.recordCancelledDischarge(event);
  }
}
