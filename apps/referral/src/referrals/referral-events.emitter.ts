import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEnvelope, type EventPayloads, type EventType, type NotificationRequestedData } from '@sc/contracts';
import { Outbox } from '@sc/messaging';

export const SOURCE = 'referral';

/** What ties an emitted event to the patient, the episode and its cause. */
export interface EventCause {
  subject: string;
  correlationId: string;
  /** The event that caused this one; null when a person's action or a timer did. */
  causationId: string | null;
}

/** Appends this service's events to its outbox, inside the caller's transaction. */
@Injectable()
export class ReferralEventsEmitter {
  constructor(private readonly outbox: Outbox) {}

  async emit<T extends EventType>(manager: EntityManager, cause: EventCause, type: T, data: EventPayloads[T]): Promise<void> {
    await this.outbox.append(manager, createEnvelope(type, data, { source: SOURCE, occurredAt: new Date().toISOString(), ...cause }));
  }

  /** Notification requests carry stable ids (see notices/stable-id.ts), so a replay never notifies twice. */
  async notify(manager: EntityManager, cause: EventCause, ...requests: NotificationRequestedData[]): Promise<void> {
    for (const request of requests) {
      await this.emit(manager, cause, 'notification.requested', request);
    }
  }
}
