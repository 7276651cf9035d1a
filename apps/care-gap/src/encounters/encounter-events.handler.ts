import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent } from '@sc/messaging';
import { ClinicalContextService } from './clinical-context.service';

@Controller()
export class EncounterEventsHandler {
  constructor(private readonly context: ClinicalContextService) {}

  @HandlesEvent('encounter.discharged')
  async onDischarged(@Payload() event: EventEnvelope<'encounter.discharged'>): Promise<void> {
    await this.context.recordDischargeDiagnoses(event);
  }
}
