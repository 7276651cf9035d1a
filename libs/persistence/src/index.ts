export { ensureDatabase, dropDatabase, openDatabase, migrateWithLock, type DatabaseOptions, type DatabaseTls } from './database';
export { UnitOfWork } from './unit-of-work';
export { preparedQuery } from './prepared-query';
export { DataSource, EntityManager } from 'typeorm';
