import type { EventPayloads, EventType } from './events';

/**
 * The one envelope every event travels in (docs/architecture.md, "Events").
 * `occurredAt` is clinical time (discharge time, event time), never the time a message was sent.
 */
export interface EventEnvelope<T extends EventType = EventType> {
  id: string;
  type: T;
  version: number;
  occurredAt: string;
  recordedAt: string;
  source: string;
  /** The encounter episode (or other unit of work) that ties a chain of events together. */
  correlationId: string;
  /** The event that caused this one; null for events that start a chain (e.g. a hospital message). */
  causationId: string | null;
  /** Pseudonymous patient reference; also the Kafka key, so one patient's events stay in order. */
  subject: string;
  data: EventPayloads[T];
}

/** A union of envelopes, one per type, so `switch (event.type)` narrows `data`. */
export type EnvelopeOf<T extends EventType> = { [K in T]: EventEnvelope<K> }[T];

export type AnyEventEnvelope = EnvelopeOf<EventType>;

/** Kafka header names; values are strings. */
export const EventHeaders = {
  eventType: 'event-type',
  eventVersion: 'event-version',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
  deadLetterError: 'x-dead-letter-error',
  deadLetterErrorCode: 'x-dead-letter-error-code',
  deadLetterGroup: 'x-dead-letter-group',
  deadLetterAttempts: 'x-dead-letter-attempts',
  deadLetterOriginalTopic: 'x-dead-letter-original-topic',
  deadLetterOriginalPartition: 'x-dead-letter-original-partition',
  deadLetterOriginalOffset: 'x-dead-letter-original-offset',
} as const;
