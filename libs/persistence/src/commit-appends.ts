import type { EntityManager } from 'typeorm';

/**
 * A kind of row appended to an append-only table that nothing reads back in the transaction (the
 * outbox): a UnitOfWork transaction writes all its rows of a kind in one statement just before it
 * commits, so a run of events costs one statement per kind instead of one per event.
 */
export interface AppendKind<Row> {
  /** Unique per kind across the service. */
  readonly key: string;
  /** Writes `rows` in their order, in one statement. */
  write(manager: EntityManager, rows: Row[]): Promise<void>;
}

interface Collected {
  readonly kind: AppendKind<unknown>;
  readonly rows: unknown[];
}

/** Keyed by the transaction's query runner, so collected rows live and die with their transaction. */
const collecting = new WeakMap<object, Map<string, Collected>>();

/** Appends `rows` at the commit of `manager`'s UnitOfWork transaction, or at once outside one. */
export async function appendAtCommit<Row>(manager: EntityManager, kind: AppendKind<Row>, rows: Row[]): Promise<void> {
  const collected = manager.queryRunner ? collecting.get(manager.queryRunner) : undefined;
  if (!collected) {
    if (rows.length > 0) {
      await kind.write(manager, rows);
    }
    return;
  }
  const entry = collected.get(kind.key) ?? { kind: kind as AppendKind<unknown>, rows: [] };
  entry.rows.push(...rows);
  collected.set(kind.key, entry);
}

/** Called by UnitOfWork as its transaction opens. */
export function collectAppendsUntilCommit(manager: EntityManager): void {
  if (manager.queryRunner) {
    collecting.set(manager.queryRunner, new Map());
  }
}

/** Called by UnitOfWork as its transaction's last work before commit: one statement per kind, in the order first appended. */
export async function writeCollectedAppends(manager: EntityManager): Promise<void> {
  const collected = manager.queryRunner ? collecting.get(manager.queryRunner) : undefined;
  if (!manager.queryRunner || !collected) {
    return;
  }
  collecting.delete(manager.queryRunner);
  for (const { kind, rows } of collected.values()) {
    if (rows.length > 0) {
      await kind.write(manager, rows);
    }
  }
}
