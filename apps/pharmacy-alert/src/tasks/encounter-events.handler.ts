import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent } from '@sc/messaging';
import { DischargeTaskService } from './discharge-task.service';

/** Kafka adapter: decodes nothing itself (the transport did), calls one application method. */
@Controller()
export class EncounterEventsHandler {
  constructor(private readonly discharges: DischargeTaskService) {}

  @HandlesEvent('encounter.discharged')
  async onDischarged(@Payload() event: EventEnvelope<'encounter.discharged'>): Promise<void> {
    await this.discharges.handleDischarge(event);
  }
}
