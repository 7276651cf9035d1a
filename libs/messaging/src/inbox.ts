import type { EntityManager } from 'typeorm';
import type { EventEnvelope } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';

/**
 * Records that `consumer` handled `event`, inside the handler's own transaction.
 * Returns false when it already had: the caller must then do nothing (idempotent consumption).
 */
export async function claimInbox(manager: EntityManager, consumer: string, event: Pick<EventEnvelope, 'id' | 'type'>): Promise<boolean> {
  const rows = await preparedQuery(
    manager,
    'messaging:claim-inbox',
    `INSERT INTO inbox (event_id, consumer, event_type) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [event.id, consumer, event.type],
  );
  return rows.length === 1;
}
