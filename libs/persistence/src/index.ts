export { ensureDatabase, dropDatabase, openDatabase, migrateWithLock, type DatabaseOptions, type DatabaseTls } from './database';
export { DataSource, EntityManager } from 'typeorm';
