import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from './envelope';
import { EVENT_VERSIONS, isEventType, type EventPayloads, type EventType } from './events';

export interface EnvelopeContext {
  source: string;
  subject: string;
  occurredAt: string;
  correlationId: string;
  causationId?: string | null;
  /** Defaults to a new UUID; pass one to make creation deterministic (e.g. derived from an inbox key). */
  id?: string;
  recordedAt?: string;
}

export function createEnvelope<T extends EventType>(type: T, data: EventPayloads[T], context: EnvelopeContext): EventEnvelope<T> {
  return {
    id: context.id ?? randomUUID(),
    type,
    version: EVENT_VERSIONS[type],
    occurredAt: context.occurredAt,
    recordedAt: context.recordedAt ?? new Date().toISOString(),
    source: context.source,
    correlationId: context.correlationId,
    causationId: context.causationId ?? null,
    subject: context.subject,
    data,
  };
}

/** A message that is not a well-formed envelope; never worth a retry. */
export class InvalidEnvelopeError extends Error {
  readonly retryable = false;
  constructor(readonly reason: string) {
    super(`invalid event envelope: ${reason}`);
    this.name = InvalidEnvelopeError.name;
  }
}

const REQUIRED_STRINGS = ['id', 'type', 'occurredAt', 'recordedAt', 'source', 'correlationId', 'subject'] as const;

export function parseEnvelope(raw: Buffer | string | null): EventEnvelope {
  if (raw === null || raw.length === 0) {
    throw new InvalidEnvelopeError('empty message');
  }
  let value: unknown;
  try {
    value = JSON.parse(raw.toString());
  } catch {
    throw new InvalidEnvelopeError('not JSON');
  }
  if (typeof value !== 'object' || value === null) {
    throw new InvalidEnvelopeError('not an object');
  }
  const record = value as Record<string, unknown>;
  for (const key of REQUIRED_STRINGS) {
    if (typeof record[key] !== 'string' || (record[key] as string).length === 0) {
      throw new InvalidEnvelopeError(`missing ${key}`);
    }
  }
  if (!isEventType(record.type as string)) {
    throw new InvalidEnvelopeError(`unknown type ${String(record.type)}`);
  }
  if (typeof record.version !== 'number') {
    throw new InvalidEnvelopeError('missing version');
  }
  if (typeof record.data !== 'object' || record.data === null) {
    throw new InvalidEnvelopeError('missing data');
  }
  return value as EventEnvelope;
}
