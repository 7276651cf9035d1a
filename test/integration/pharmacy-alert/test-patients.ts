import { randomUUID } from 'node:crypto';
import type { DataSource } from '@sc/persistence';

/** A roster patient with nothing else known, straight into the table; answers its id. */
export async function insertRosterPatient(dataSource: DataSource): Promise<string> {
  const id = randomUUID();
  await dataSource.query(`INSERT INTO patients (id, pharmacy_patient_id, family_name, given_name, birth_date) VALUES ($1, $2, 'TEST', 'PAT', '1960-01-01')`, [id, `SP-${id}`]);
  return id;
}
