import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, EntityManager } from 'typeorm';
import { createLogger } from '@sc/observability';
import { collectAppendsUntilCommit, writeCollectedAppends } from './commit-appends';

type AfterCommit = () => Promise<void> | void;

interface OpenTransaction {
  manager: EntityManager;
  afterCommit: AfterCommit[];
}

/**
 * The service's way into a database transaction. `run` joins the transaction already open in
 * this async context, else opens one; effects registered with `afterCommit` run once the
 * outermost transaction has committed and never when it rolls back.
 *
 * Joining is what lets the event transport handle a run of consumed events in one transaction
 * (one commit and one fsync for many events) while each handler is written as if it were alone.
 * So every database access on an event's path goes through `run` (or the manager it hands out):
 * a query on another connection would not see the shared transaction's rows and could wait on
 * its locks. Its transactions write `appendAtCommit` rows (the outbox) in one statement per kind
 * just before commit.
 */
export class UnitOfWork {
  private readonly log = createLogger(UnitOfWork.name);
  private readonly open = new AsyncLocalStorage<OpenTransaction>();

  constructor(private readonly dataSource: DataSource) {}

  /** True while a transaction is open in this async context. */
  get inTransaction(): boolean {
    return this.open.getStore() !== undefined;
  }

  async run<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const current = this.open.getStore();
    if (current) {
      return work(current.manager);
    }
    const afterCommit: AfterCommit[] = [];
    const result = await this.dataSource.transaction((manager) =>
      this.open.run({ manager, afterCommit }, async () => {
        collectAppendsUntilCommit(manager);
        const value = await work(manager);
        await writeCollectedAppends(manager);
        return value;
      }),
    );
    for (const effect of afterCommit) {
      try {
        await effect();
      } catch (error) {
        // The transaction is committed; an effect that fails must not make its caller retry it.
        this.log.warn({ err: error }, 'after-commit effect failed');
      }
    }
    return result;
  }

  /** Runs `effect` after the open transaction commits, or at once when none is open. */
  async afterCommit(effect: AfterCommit): Promise<void> {
    const current = this.open.getStore();
    if (current) {
      current.afterCommit.push(effect);
      return;
    }
    await effect();
  }
}
