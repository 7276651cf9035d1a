import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { HandlesEvent, type EventRun } from '@sc/messaging';
import { ContextService, type ContextEvent } from './context.service';

/** Kafka adapter: the clinical-context feed (conditions, devices, plan benefits). */
@Controller()
export class ContextEventsHandler {
  constructor(private readonly context: ContextService) {}

  @HandlesEvent('context.conditions-changed', 'context.devices-changed', 'context.benefits-changed')
  async onContextEvents(@Payload() run: EventRun<ContextEvent>): Promise<void> {
    await run.each((event) => this.context.applyContextEvent(event));
  }
}
