export { ensureDatabase, dropDatabase, openDatabase, migrateWithLock, type DatabaseOptions, type DatabaseTls } from './database';
export { UnitOfWork } from './unit-of-work';
export { preparedQuery } from './prepared-query';
export { appendAtCommit, type AppendKind } from './commit-appends';
export { DataSource, EntityManager } from 'typeorm';
export { DatabaseListener, type DatabaseListenerOptions } from './database-listener';
export { GroupCommitter, type GroupCommitOptions, type GroupCommitStats, type BatchTraits } from './group-commit';
export { TableStatisticsKeeper, type TableStatisticsOptions } from './table-statistics';
