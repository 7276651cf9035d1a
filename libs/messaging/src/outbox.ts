import type { EntityManager } from 'typeorm';
import { EventHeaders, type AnyEventEnvelope, type EventEnvelope, type EventType, type TopicNames } from '@sc/contracts';
import { childSpan, currentLogContext, formatTraceparent } from '@sc/observability';
import { appendAtCommit, preparedQuery, type AppendKind } from '@sc/persistence';

interface OutboxRow {
  eventId: string;
  eventType: string;
  topic: string;
  key: string;
  payload: string;
  headers: string;
}

/**
 * The outbox INSERT and the queueing of its rows for the relay, as two data-modifying CTEs with
 * their parameters numbered from `firstParameter`: a statement of their own (see
 * {@link outboxAppendSql}), or part of a hot path's statement, so the path writes its rows and its
 * events in one round trip (see {@link Outbox.insertValues}). Rows keep their order: the relay
 * publishes by sequence number, and a subject's events by it.
 */
export function outboxAppendCtes(firstParameter: number): string {
  const p = (offset: number): string => `$${firstParameter + offset}`;
  return `outbox_appended AS (
    INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers)
       SELECT event_id, event_type, topic, message_key, payload, headers::jsonb
       FROM unnest(${p(0)}::uuid[], ${p(1)}::text[], ${p(2)}::text[], ${p(3)}::text[], ${p(4)}::text[], ${p(5)}::text[])
         WITH ORDINALITY AS appended(event_id, event_type, topic, message_key, payload, headers, position)
       ORDER BY position
       RETURNING seq
  ), outbox_queued AS (
    INSERT INTO outbox_pending (seq) SELECT seq FROM outbox_appended
  )`;
}

const outboxAppendSql = `WITH ${outboxAppendCtes(1)} SELECT 1`;

const columnsOf = (rows: readonly OutboxRow[]): unknown[] => [
  rows.map((row) => row.eventId),
  rows.map((row) => row.eventType),
  rows.map((row) => row.topic),
  rows.map((row) => row.key),
  rows.map((row) => row.payload),
  rows.map((row) => row.headers),
];

const outboxRows: AppendKind<OutboxRow> = {
  key: 'messaging:outbox',
  async write(manager, rows) {
    await preparedQuery(manager, 'messaging:outbox-append', outboxAppendSql, columnsOf(rows));
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
    await appendAtCommit(manager, outboxRows, events.map((event) => this.rowOf(event)));
  }

  /** The parameters of {@link outboxAppendCtes} for `events`, in order: the caller runs the inserts inside its own statement. */
  insertValues(events: readonly EventEnvelope<EventType>[]): unknown[] {
    return columnsOf(events.map((event) => this.rowOf(event)));
  }

  private rowOf(event: EventEnvelope<EventType>): OutboxRow {
    return {
      eventId: event.id,
      eventType: event.type,
      topic: this.topics.forEvent(event.type),
      key: event.subject,
      payload: JSON.stringify(event),
      // The trace context is the appending handler's, so it is taken now, not at the write.
      headers: JSON.stringify(this.headersFor(event as AnyEventEnvelope)),
    };
  }

  private headersFor(event: AnyEventEnvelope): Record<string, string> {
    return {
      [EventHeaders.eventType]: event.type,
      [EventHeaders.eventVersion]: String(event.version),
      [EventHeaders.traceparent]: formatTraceparent(childSpan(currentLogContext()?.trace)),
    };
  }
}
