export { ensureDatabase, dropDatabase, openDatabase, migrateWithLock, type DatabaseOptions } from './database';
export { DataSource, EntityManager } from 'typeorm';
