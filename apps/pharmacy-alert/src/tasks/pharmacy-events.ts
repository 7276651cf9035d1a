import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { createEnvelope, type EventPayloads, type EventType } from '@sc/contracts';
import { Outbox } from '@sc/messaging';

export const SOURCE = 'pharmacy-alert';

/** What ties an emitted event to the patient, the episode and its cause. */
export interface EventCause {
  subject: string;
  correlationId: string;
  /** The event that caused this one; null when a person's action did. */
  causationId: string | null;
}

/** Appends this service's events to its outbox, inside the caller's transaction. */
@Injectable()
export class PharmacyEvents {
  constructor(private readonly outbox: Outbox) {}

  async emit<T extends EventType>(manager: EntityManager, cause: EventCause, type: T, data: EventPayloads[T]): Promise<void> {
    await this.outbox.append(manager, createEnvelope(type, data, { source: SOURCE, occurredAt: new Date().toISOString(), ...cause }));
  }

  /** A notification request; its id must be stable for the thing notified about, so a replay never notifies twice. */
  async notify(manager: EntityManager, cause: EventCause, request: EventPayloads['notification.requested']): Promise<void> {
    await this.emit(manager, cause, 'notification.requested', request);
  }
}
