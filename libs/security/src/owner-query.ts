import type { DataSource } from 'typeorm';
import type { ResourceOwners } from './team-scope';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs an owner lookup whose single parameter is the resource id and whose rows carry `team`
 * (and `person` for directly addressed resources). No row means no such resource. The scope
 * guard runs before validation pipes, so a malformed uuid is answered as unknown here.
 */
export async function ownersBySql(dataSource: DataSource, sql: string, id: string, idIsUuid = true): Promise<ResourceOwners | undefined> {
  if (idIsUuid && !UUID.test(id)) {
    return undefined;
  }
  const rows: Array<{ team: string | null; person?: string | null }> = await dataSource.query(sql, [id]);
  if (rows.length === 0) {
    return undefined;
  }
  return { teams: rows.map((row) => row.team), people: rows.flatMap((row) => (row.person ? [row.person] : [])) };
}
