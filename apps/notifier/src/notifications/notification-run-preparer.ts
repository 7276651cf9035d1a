import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EventEnvelope } from '@sc/contracts';
import { KafkaEventsServer, type RunPreparer } from '@sc/messaging';
import type { EntityManager } from '@sc/persistence';
import { NotificationService } from './notification.service';

/** Stores each shared run's notification requests together before their handlers run (see NotificationService.prepareRun). */
@Injectable()
export class NotificationRunPreparer implements RunPreparer, OnModuleInit {
  constructor(
    private readonly server: KafkaEventsServer,
    private readonly notifications: NotificationService,
  ) {}

  onModuleInit(): void {
    this.server.prepareRunsWith(this);
  }

  prepare(manager: EntityManager, events: ReadonlyArray<EventEnvelope>): Promise<void> {
    return this.notifications.prepareRun(manager, events);
  }
}
