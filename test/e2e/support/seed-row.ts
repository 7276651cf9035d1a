import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';

/**
 * Inserts one row with the given values, filling every other NOT NULL column that has no default
 * with a placeholder of its type: enough for authorization tests that need a resource to exist,
 * without each test knowing every column.
 */
export async function seedRow(db: Client, table: string, values: Record<string, unknown>): Promise<void> {
  const { rows } = await db.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name = $1 AND is_nullable = 'NO' AND column_default IS NULL`,
    [table],
  );
  const placeholder = (type: string): unknown => {
    switch (type) {
      case 'uuid':
        return randomUUID();
      case 'integer':
      case 'bigint':
      case 'smallint':
      case 'numeric':
        return 0;
      case 'boolean':
        return false;
      case 'jsonb':
      case 'json':
        return '{}';
      case 'timestamp with time zone':
      case 'timestamp without time zone':
      case 'date':
        return new Date().toISOString();
      case 'ARRAY':
        return '{}';
      default:
        return `seed-${randomUUID().slice(0, 8)}`;
    }
  };
  const row: Record<string, unknown> = {};
  for (const column of rows) {
    row[column.column_name] = placeholder(column.data_type);
  }
  Object.assign(row, values);
  const columns = Object.keys(row);
  await db.query(`INSERT INTO ${table} (${columns.map((column) => `"${column}"`).join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')})`, Object.values(row));
}
