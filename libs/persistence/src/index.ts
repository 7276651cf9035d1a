export { ensureDatabase, dropDatabase, openDatabase, migrateWithLock, type DatabaseOptions, type DatabaseTls } from './database';
export { UnitOfWork } from './unit-of-work';
export { preparedQuery } from './prepared-query';
export { writeBehind, flushDeferred, flushDeferredIf, takeDeferredIf, columnArrays, deferredStatement, type DeferredWrite } from './write-behind';
export { memoInTransaction, rememberInTransaction, recallInTransaction, forgetInTransaction } from './transaction-memo';
export { DataSource, EntityManager } from 'typeorm';
export { DatabaseListener, type DatabaseListenerOptions } from './database-listener';
export { GroupCommitter, type GroupCommitOptions, type GroupCommitStats, type BatchTraits } from './group-commit';
export { TableStatisticsKeeper, type TableStatisticsOptions } from './table-statistics';
