import type { EntityManager } from 'typeorm';

/** Keyed by the transaction's query runner, so what is remembered dies with its transaction. */
const memos = new WeakMap<object, Map<string, Promise<unknown>>>();

function memoOf(runner: object): Map<string, Promise<unknown>> {
  let memo = memos.get(runner);
  if (!memo) {
    memo = new Map();
    memos.set(runner, memo);
  }
  return memo;
}

/**
 * Reads `key` once per transaction: a run of events handled in one transaction (see UnitOfWork)
 * asks for the same rules or plan benefits for each of its events, and each ask is a round trip.
 * The run then sees the data as of its first read, as if all its events were handled at that
 * moment; a transaction that changes the data must call {@link forgetInTransaction}. Outside a
 * transaction it reads every time.
 */
export function memoInTransaction<T>(manager: EntityManager, key: string, load: () => Promise<T>): Promise<T> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) {
    return load();
  }
  const memo = memoOf(runner);
  let value = memo.get(key) as Promise<T> | undefined;
  if (!value) {
    value = load();
    memo.set(key, value);
    // A failed read is not remembered; the failure reaches the caller, who aborts or retries.
    value.catch(() => memo.delete(key));
  }
  return value;
}

/**
 * Remembers `value` under `key` for the rest of the transaction, as if {@link memoInTransaction}
 * had read it: a run's events can be looked up together in one statement before they are handled.
 * Does nothing outside a transaction.
 */
export function rememberInTransaction<T>(manager: EntityManager, key: string, value: T): void {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) {
    return;
  }
  memoOf(runner).set(key, Promise.resolve(value));
}

/** What this transaction remembered under `key` (see {@link rememberInTransaction}), or undefined. */
export function recallInTransaction<T>(manager: EntityManager, key: string): Promise<T> | undefined {
  const memo = manager.queryRunner && !manager.queryRunner.isReleased ? memos.get(manager.queryRunner) : undefined;
  return memo?.get(key) as Promise<T> | undefined;
}

/** Drops what this transaction remembered under keys starting with `prefix`, after it changed that data. */
export function forgetInTransaction(manager: EntityManager, prefix: string): void {
  const memo = manager.queryRunner ? memos.get(manager.queryRunner) : undefined;
  for (const key of memo?.keys() ?? []) {
    if (key.startsWith(prefix)) {
      memo?.delete(key);
    }
  }
}
