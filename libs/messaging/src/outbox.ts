import type { EntityManager } from 'typeorm';
import { EventHeaders, type AnyEventEnvelope, type EventEnvelope, type EventType, type TopicNames } from '@sc/contracts';
import { childSpan, currentLogContext, formatTraceparent } from '@sc/observability';
import { preparedQuery, writeBehind, type DeferredWrite } from '@sc/persistence';

interface OutboxRow {
  eventId: string;
  eventType: string;
  topic: string;
  key: string;
  payload: string;
  headers: string;
}

/** Rows keep their order: the relay publishes by sequence number, and a subject's events by it. */
const outboxRows: DeferredWrite<OutboxRow> = {
  key: 'messaging:outbox',
  async write(manager, rows) {
    await preparedQuery(
      manager,
      'messaging:outbox-append',
      `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers)
       SELECT event_id, event_type, topic, message_key, payload, headers::jsonb
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
         WITH ORDINALITY AS appended(event_id, event_type, topic, message_key, payload, headers, position)
       ORDER BY position`,
      [
        rows.map((row) => row.eventId),
        rows.map((row) => row.eventType),
        rows.map((row) => row.topic),
        rows.map((row) => row.key),
        rows.map((row) => row.payload),
        rows.map((row) => row.headers),
      ],
    );
  },
};

/**
 * Appends events to the service's outbox inside the caller's transaction; the relay publishes
 * them after commit. Never publish to Kafka directly from a request or handler. In a UnitOfWork
 * transaction the rows are written just before commit, all of them in one statement.
 */
export class Outbox {
  constructor(private readonly topics: TopicNames) {}

  async append(manager: EntityManager, ...events: EventEnvelope<EventType>[]): Promise<void> {
    await writeBehind(
      manager,
      outboxRows,
      events.map((event) => ({
        eventId: event.id,
        eventType: event.type,
        topic: this.topics.forEvent(event.type),
        key: event.subject,
        payload: JSON.stringify(event),
        // The trace context is the appending handler's, so it is taken now, not at the write.
        headers: JSON.stringify(this.headersFor(event as AnyEventEnvelope)),
      })),
    );
  }

  private headersFor(event: AnyEventEnvelope): Record<string, string> {
    return {
      [EventHeaders.eventType]: event.type,
      [EventHeaders.eventVersion]: String(event.version),
      [EventHeaders.traceparent]: formatTraceparent(childSpan(currentLogContext()?.trace)),
    };
  }
}
