import type { EntityManager } from 'typeorm';
import { EventHeaders, type AnyEventEnvelope, type EventEnvelope, type EventType, type TopicNames } from '@sc/contracts';
import { childSpan, currentLogContext, formatTraceparent } from '@sc/observability';
import { preparedQuery } from '@sc/persistence';

/**
 * Appends events to the service's outbox inside the caller's transaction; the relay publishes
 * them after commit. Never publish to Kafka directly from a request or handler.
 */
export class Outbox {
  constructor(private readonly topics: TopicNames) {}

  async append(manager: EntityManager, ...events: EventEnvelope<EventType>[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    const values: unknown[] = [];
    const rows = events.map((event, index) => {
      const base = index * 6;
      values.push(
        event.id,
        event.type,
        this.topics.forEvent(event.type),
        event.subject,
        JSON.stringify(event),
        JSON.stringify(this.headersFor(event as AnyEventEnvelope)),
      );
      return `($${base + 1}, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::jsonb)`;
    });
    await preparedQuery(
      manager,
      `messaging:outbox-append:${events.length}`,
      `INSERT INTO outbox (event_id, event_type, topic, message_key, payload, headers) VALUES ${rows.join(', ')}`,
      values,
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
