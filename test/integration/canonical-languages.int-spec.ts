import { Client } from 'pg';
import { openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { MIGRATIONS as PHARMACY_MIGRATIONS } from '../../apps/pharmacy-alert/src/migrations';
import { MIGRATIONS as REFERRAL_MIGRATIONS } from '../../apps/referral/src/migrations';

const rows = async <T>(url: string, sql: string): Promise<T[]> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
};

/** Stores rows as they were before the CanonicalLanguages migration, then runs it and those after it. */
async function migrateWith(url: string, serviceName: string, migrations: typeof REFERRAL_MIGRATIONS | typeof PHARMACY_MIGRATIONS, seed: string): Promise<void> {
  const underTest = migrations.findIndex((migration) => migration.name === 'CanonicalLanguages1766500000000');
  const before = await openDatabase({ url, serviceName, migrations: migrations.slice(0, underTest), poolSize: 2 });
  await before.query(seed);
  await before.destroy();
  const after = await openDatabase({ url, serviceName, migrations, poolSize: 2 });
  await after.destroy();
}

describe('CanonicalLanguages migrations', () => {
  const runId = newRunId();

  afterAll(async () => {
    await dropRunDatabases(runId);
  });

  it("rewrites pharmacy-alert's stored patient and pharmacist languages as canonical codes, keeping unknown ones", async () => {
    const url = databaseUrl(runId, 'pharmacy-languages');
    await migrateWith(
      url,
      'pharmacy-languages',
      PHARMACY_MIGRATIONS,
      `INSERT INTO patients (id, pharmacy_patient_id, family_name, given_name, birth_date, preferred_language)
         VALUES (gen_random_uuid(), 'SP-1', 'TESTER', 'ONE', '1960-01-01', 'spa'), (gen_random_uuid(), 'SP-2', 'TESTER', 'TWO', '1960-01-01', 'SPA^Spanish^ISO639'),
                (gen_random_uuid(), 'SP-3', 'TESTER', 'THREE', '1960-01-01', 'hmn');
       INSERT INTO pharmacists (id, team_id, role, languages) VALUES ('pharm-luis', 'team-1', 'pharmacist', '{Spanish,EN,es}')`,
    );

    expect(await rows(url, 'SELECT pharmacy_patient_id, preferred_language FROM patients ORDER BY 1')).toEqual([
      { pharmacy_patient_id: 'SP-1', preferred_language: 'es' },
      { pharmacy_patient_id: 'SP-2', preferred_language: 'es' },
      { pharmacy_patient_id: 'SP-3', preferred_language: 'hmn' },
    ]);
    expect(await rows(url, "SELECT languages FROM pharmacists WHERE id = 'pharm-luis'")).toEqual([{ languages: ['es', 'en'] }]);
  });

  it("rewrites referral's stored patient and nurse languages as canonical codes", async () => {
    const url = databaseUrl(runId, 'referral-languages');
    await migrateWith(
      url,
      'referral-languages',
      REFERRAL_MIGRATIONS,
      `INSERT INTO patients (subject, language) VALUES ('pt-1', 'spa'), ('pt-2', 'Spanish');
       INSERT INTO nurses (id, team_id, role, languages) VALUES ('rn-rosa', 'team-1', 'nurse', '{SPA,English}')`,
    );

    expect(await rows(url, 'SELECT subject, language FROM patients ORDER BY 1')).toEqual([
      { subject: 'pt-1', language: 'es' },
      { subject: 'pt-2', language: 'es' },
    ]);
    expect(await rows(url, "SELECT languages FROM nurses WHERE id = 'rn-rosa'")).toEqual([{ languages: ['es', 'en'] }]);
  });
});
