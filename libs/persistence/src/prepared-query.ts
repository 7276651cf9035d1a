import type { ClientBase, QueryResultRow } from 'pg';
import type { EntityManager } from 'typeorm';

/**
 * Runs a query that sits on a hot path (every consumed event, every ingested message) as a named
 * prepared statement on the transaction's connection. TypeORM sends every query unnamed, so
 * PostgreSQL parses and plans it on each call. A named statement is parsed once per connection,
 * and after five executions PostgreSQL may keep one generic plan for it. That plan is made with
 * the statistics of the moment: a join whose tables were empty then may go on scanning them
 * whole after they have grown, until an analyze invalidates it: keep such joins unnamed, or run
 * them where the session rules those plans out (adt-ingest's BatchConnections).
 *
 * `name` must be unique per SQL text across the service. Outside a transaction (no connection of
 * its own) the manager runs the query the ordinary way.
 */
export async function preparedQuery<Row extends QueryResultRow>(manager: EntityManager, name: string, text: string, values: unknown[]): Promise<Row[]> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) {
    return manager.query(text, values);
  }
  const connection = (await runner.connect()) as ClientBase;
  return (await connection.query<Row>({ name, text, values })).rows;
}
