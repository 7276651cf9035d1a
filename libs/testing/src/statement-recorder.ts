import type { EntityManager } from 'typeorm';

/**
 * Records what the transaction of `manager` sends to PostgreSQL from now on: a named statement by
 * its name, any other by its text, until the returned function is called. For tests that pin how
 * many round trips a piece of work costs.
 */
export async function recordStatements(manager: EntityManager, into: string[]): Promise<() => void> {
  const connection = (await manager.queryRunner?.connect()) as { query: (...args: unknown[]) => unknown };
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    into.push(typeof args[0] === 'string' ? args[0] : String((args[0] as { name?: string }).name));
    return query(...args);
  };
  return () => {
    connection.query = query;
  };
}
