import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';

/**
 * Records that `consumer` handled `events`, inside the transaction that does their work, with one
 * statement for the run. Returns the ids it had not handled before: only those may change
 * anything (idempotent consumption).
 */
export async function claimInbox(manager: EntityManager, consumer: string, events: ReadonlyArray<Pick<EventEnvelope, 'id' | 'type'>>): Promise<Set<string>> {
  const rows = await preparedQuery<{ event_id: string }>(
    manager,
    'messaging:claim-inbox',
    `INSERT INTO inbox (event_id, consumer, event_type)
     SELECT event_id, $2, event_type FROM unnest($1::uuid[], $3::text[]) AS e(event_id, event_type)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [events.map((event) => event.id), consumer, events.map((event) => event.type)],
  );
  return new Set(rows.map((row) => row.event_id));
}
