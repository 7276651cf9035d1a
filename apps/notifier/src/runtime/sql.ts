import type { EntityManager } from 'typeorm';

/** TypeORM answers UPDATE (and DELETE) with `[rows, affectedCount]`; this returns the RETURNING rows. */
export async function updateReturning<T>(manager: EntityManager, sql: string, parameters: unknown[]): Promise<T[]> {
  const [rows] = (await manager.query(sql, parameters)) as [T[], number];
  return rows;
}
