import type { EntityManager } from 'typeorm';

/**
 * A kind of row a transaction may write just before it commits instead of when asked: rows
 * nothing reads or changes again inside a transaction (the outbox, history and audit trails).
 * Deferred, the appends of a whole run of events cost one statement per kind instead of one per
 * append, and each statement is a round trip that holds the run's transaction open.
 */
export interface DeferredWrite<Row> {
  /** Unique per kind of row across the service. */
  readonly key: string;
  /** Writes `rows` in their order, in one statement. */
  write(manager: EntityManager, rows: Row[]): Promise<void>;
}

interface Pending {
  readonly write: DeferredWrite<unknown>;
  readonly rows: unknown[];
}

/** Keyed by the transaction's query runner, so deferred rows live and die with their transaction. */
const deferring = new WeakMap<object, Map<string, Pending>>();

/** Lets the transaction of `manager` defer writes until {@link flushDeferredWrites}. */
export function deferWritesUntilCommit(manager: EntityManager): void {
  if (manager.queryRunner) {
    deferring.set(manager.queryRunner, new Map());
  }
}

/**
 * Writes `rows` now, or with the transaction's other rows of their kind just before it commits
 * when the transaction defers writes. Never use it for rows the same transaction reads or
 * changes later: they are not there yet.
 */
export async function writeBehind<Row>(manager: EntityManager, write: DeferredWrite<Row>, rows: Row[]): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const pending = manager.queryRunner ? deferring.get(manager.queryRunner) : undefined;
  if (!pending) {
    await write.write(manager, rows);
    return;
  }
  const kind = pending.get(write.key);
  if (kind) {
    kind.rows.push(...rows);
  } else {
    pending.set(write.key, { write: write as DeferredWrite<unknown>, rows: [...rows] });
  }
}

/**
 * Writes what the transaction deferred, one statement per kind in the order each kind was first
 * deferred, and stops deferring. Call it as the transaction's last work before commit.
 */
export async function flushDeferredWrites(manager: EntityManager): Promise<void> {
  const runner = manager.queryRunner;
  const pending = runner ? deferring.get(runner) : undefined;
  if (!runner || !pending) {
    return;
  }
  deferring.delete(runner);
  for (const { write, rows } of pending.values()) {
    await write.write(manager, rows);
  }
}
