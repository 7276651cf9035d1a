import type { EntityManager } from 'typeorm';
import type { EnvelopeOf, EventEnvelope, EventType } from '@sc/contracts';
import { preparedQuery } from '@sc/persistence';

/** What one statement claimed for a run of events handled in a shared transaction. */
interface RunClaim {
  /** Events of the run this consumer had not handled before, each answered `true` once. */
  readonly fresh: Set<string>;
  /** Every event of the run; an id here but not in `fresh` was handled before (or earlier in the run). */
  readonly covered: ReadonlySet<string>;
}

/** Keyed by the transaction's query runner, so a claim lives and dies with its transaction. */
const runClaims = new WeakMap<object, Map<string, RunClaim>>();

/**
 * Records that `consumer` handled `event`, inside the handler's own transaction.
 * Returns false when it already had: the caller must then do nothing (idempotent consumption).
 * Inside a run claimed with {@link claimInboxForRun} it answers from that claim without a query.
 */
export async function claimInbox(manager: EntityManager, consumer: string, event: Pick<EventEnvelope, 'id' | 'type'>): Promise<boolean> {
  const claim = manager.queryRunner ? runClaims.get(manager.queryRunner)?.get(consumer) : undefined;
  if (claim?.covered.has(event.id)) {
    return claim.fresh.delete(event.id);
  }
  const rows = await preparedQuery(
    manager,
    'messaging:claim-inbox',
    `INSERT INTO inbox (event_id, consumer, event_type) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING 1`,
    [event.id, consumer, event.type],
  );
  return rows.length === 1;
}

/**
 * Whether the run's claim (see {@link claimInboxForRun}) says `consumer` has not handled `event`
 * yet, without using the claim up; false outside a claimed run. For run preparers, which must not
 * act on an event the consumer handled before.
 */
export function isFreshInRun(manager: EntityManager, consumer: string, event: Pick<EventEnvelope, 'id'>): boolean {
  const claim = manager.queryRunner ? runClaims.get(manager.queryRunner)?.get(consumer) : undefined;
  return claim?.fresh.has(event.id) ?? false;
}

/**
 * The run's events of `type` that `consumer` has not handled before and whose subject no other
 * event of the run names: a run preparer may act on these ahead of their handlers without
 * reordering what another handler of the same patient sees.
 */
export function soleFreshEventsInRun<T extends EventType>(manager: EntityManager, consumer: string, events: ReadonlyArray<EventEnvelope>, type: T): Array<EnvelopeOf<T>> {
  const eventsPerSubject = new Map<string, number>();
  for (const event of events) {
    eventsPerSubject.set(event.subject, (eventsPerSubject.get(event.subject) ?? 0) + 1);
  }
  return events.filter(
    (event): event is EnvelopeOf<T> => event.type === type && eventsPerSubject.get(event.subject) === 1 && isFreshInRun(manager, consumer, event),
  );
}

/**
 * Claims the inbox rows of a whole run of events in one statement, in the run's shared
 * transaction; the handlers' own {@link claimInbox} calls then cost no round trip. Each round trip
 * to PostgreSQL costs more than most handlers' work for an event, and every handler claims.
 * A rolled-back run takes its claims with it, and the events are claimed again one by one.
 */
export async function claimInboxForRun(manager: EntityManager, consumer: string, events: ReadonlyArray<Pick<EventEnvelope, 'id' | 'type'>>): Promise<void> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased || events.length === 0) {
    return;
  }
  const unique = [...new Map(events.map((event) => [event.id, event.type])).entries()];
  const rows = await preparedQuery<{ event_id: string }>(
    manager,
    'messaging:claim-inbox-run',
    `INSERT INTO inbox (event_id, consumer, event_type)
     SELECT id, $2, type FROM unnest($1::uuid[], $3::text[]) AS run(id, type)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [unique.map(([id]) => id), consumer, unique.map(([, type]) => type)],
  );
  const claims = runClaims.get(runner) ?? new Map<string, RunClaim>();
  claims.set(consumer, { fresh: new Set(rows.map((row) => row.event_id)), covered: new Set(unique.map(([id]) => id)) });
  runClaims.set(runner, claims);
}
