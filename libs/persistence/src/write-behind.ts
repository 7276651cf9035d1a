import type { EntityManager } from 'typeorm';
import { preparedQuery } from './prepared-query';

/**
 * A kind of row a transaction may write just before it commits instead of when asked: rows
 * nothing reads or changes again inside a transaction (the outbox, history and audit trails),
 * or rows whose repository calls {@link flushDeferred} before any other statement on their
 * tables. Deferred, the writes of a whole run of events cost one statement per kind instead of
 * one per event, and each statement is a round trip that holds the run's transaction open.
 */
export interface DeferredWrite<Row> {
  /** Unique per kind of row across the service. */
  readonly key: string;
  /** Writes `rows` in their order, in one statement. */
  write(manager: EntityManager, rows: Row[]): Promise<void>;
  /**
   * For upserts: the keys a row must not share with another row of the same statement
   * (PostgreSQL refuses to change a row twice in one statement). A row with a key already
   * pending first writes what is pending.
   */
  conflictKeys?(row: Row): string[];
}

/** One array per column of `rows`, in `columns` order: the parameters of a statement over `unnest($1, $2, ...)`. */
export function columnArrays<Row>(rows: readonly Row[], columns: ReadonlyArray<(row: Row) => unknown>): unknown[][] {
  return columns.map((column) => rows.map(column));
}

/**
 * The usual deferred kind: its rows written by one named statement (see {@link preparedQuery})
 * over `unnest`, whose parameters are the rows' `columns` in order.
 */
export function deferredStatement<Row>(kind: {
  key: string;
  statement: string;
  text: string;
  columns: ReadonlyArray<(row: Row) => unknown>;
  conflictKeys?: (row: Row) => string[];
}): DeferredWrite<Row> {
  return {
    key: kind.key,
    ...(kind.conflictKeys ? { conflictKeys: kind.conflictKeys } : {}),
    async write(manager, rows) {
      await preparedQuery(manager, kind.statement, kind.text, columnArrays(rows, kind.columns));
    },
  };
}

interface Pending {
  readonly write: DeferredWrite<unknown>;
  rows: unknown[];
  readonly keys: Set<string>;
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
 * when the transaction defers writes. A transaction that reads or changes such rows later must
 * call {@link flushDeferred} first: they are not there yet.
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
  let kind = pending.get(write.key);
  if (!kind) {
    kind = { write: write as DeferredWrite<unknown>, rows: [], keys: new Set() };
    pending.set(write.key, kind);
  }
  for (const row of rows) {
    const keys = write.conflictKeys?.(row) ?? [];
    if (keys.some((key) => kind.keys.has(key))) {
      await writePending(manager, kind);
    }
    kind.rows.push(row);
    for (const key of keys) {
      kind.keys.add(key);
    }
  }
}

/** Writes the pending rows of `write`'s kind now, so the transaction's next statements see them. */
export async function flushDeferred(manager: EntityManager, write: DeferredWrite<never>): Promise<void> {
  const kind = pendingOf(manager, write.key);
  if (kind) {
    await writePending(manager, kind);
  }
}

/**
 * Writes the pending rows of `write`'s kind now if any of them is one the caller's next statement
 * reads or changes. A statement keyed on one episode or one task need not send the run's other
 * pending rows ahead of it: writing them at once for every such statement made a run of events
 * insert its rows one statement each.
 */
export async function flushDeferredIf<Row>(manager: EntityManager, write: DeferredWrite<Row>, concerns: (row: Row) => boolean): Promise<void> {
  const kind = pendingOf(manager, write.key);
  if (kind && (kind.rows as Row[]).some(concerns)) {
    await writePending(manager, kind);
  }
}

/**
 * Hands the caller every pending row of `write`'s kind, no longer pending, if any of them is one
 * the caller's next statement reads; else none. For a statement that writes those rows and reads
 * the result in one round trip instead of two: the caller must write every row it is given.
 */
export function takeDeferredIf<Row>(manager: EntityManager, write: DeferredWrite<Row>, concerns: (row: Row) => boolean): Row[] {
  const kind = pendingOf(manager, write.key);
  if (!kind || !(kind.rows as Row[]).some(concerns)) {
    return [];
  }
  return takePending(kind) as Row[];
}

function firstPending(pending: Map<string, Pending>): Pending | undefined {
  for (const kind of pending.values()) {
    if (kind.rows.length > 0) {
      return kind;
    }
  }
  return undefined;
}

function pendingOf(manager: EntityManager, key: string): Pending | undefined {
  return manager.queryRunner ? deferring.get(manager.queryRunner)?.get(key) : undefined;
}

function takePending(kind: Pending): unknown[] {
  const rows = kind.rows;
  kind.rows = [];
  kind.keys.clear();
  return rows;
}

async function writePending(manager: EntityManager, kind: Pending): Promise<void> {
  if (kind.rows.length > 0) {
    await kind.write.write(manager, takePending(kind));
  }
}

/**
 * Writes what the transaction deferred, one statement per kind in the order each kind was first
 * deferred, and stops deferring. Call it as the transaction's last work before commit. A kind
 * whose rows reference another kind's (a task's timers, its task) calls {@link flushDeferred}
 * on that kind at the start of its `write`, so the order of first deferral does not matter.
 */
export async function flushDeferredWrites(manager: EntityManager): Promise<void> {
  const runner = manager.queryRunner;
  const pending = runner ? deferring.get(runner) : undefined;
  if (!runner || !pending) {
    return;
  }
  // Until nothing is pending: a kind's write may defer rows of a kind already written.
  for (let next = firstPending(pending); next; next = firstPending(pending)) {
    await writePending(manager, next);
  }
  deferring.delete(runner);
}
