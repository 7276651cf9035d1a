import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { EventEnvelope } from '@sc/contracts';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { RosterService } from './roster.service';

@Controller()
export class EnrollmentEventsHandler {
  constructor(private readonly roster: RosterService) {}

  @HandlesEvent('roster.enrollment-changed')
  async onEnrollmentChanged(@Payload() run: EventRun<EventEnvelope<'roster.enrollment-changed'>>): Promise<void> {
    await run.each((event) => this.roster.applyEnrollmentChange(event));
  }
}
