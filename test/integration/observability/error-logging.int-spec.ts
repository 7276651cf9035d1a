import { Writable } from 'node:stream';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { loggerOptions, safeErrorMessage } from '@sc/observability';
import { openDatabase, preparedQuery } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';

/** Synthetic patient data that must never reach a log line. */
const FAMILY = 'Zyxwardine';
const GIVEN = 'Quorabel';
const BIRTH_DATE = '1961-07-23';

function capturingLogger(): { logger: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: pino(loggerOptions(), stream), lines };
}

describe('logging a failed statement', () => {
  const runId = newRunId();
  let db: DataSource;

  beforeAll(async () => {
    db = await openDatabase({ url: databaseUrl(runId, 'logs'), serviceName: `logs-${runId}`, migrations: [], poolSize: 2 });
    await db.query(`CREATE TABLE patients (family_name text NOT NULL, given_name text, birth_date date, CONSTRAINT patients_family_unique UNIQUE (family_name))`);
    await db.query(`INSERT INTO patients VALUES ($1, $2, $3)`, [FAMILY, GIVEN, BIRTH_DATE]);
  }, 30_000);

  afterAll(async () => {
    await db?.destroy();
    await dropRunDatabases(runId);
  });

  const failures: Array<[string, string, (db: DataSource) => Promise<unknown>]> = [
    ['a constraint violation', '23505', (source) => source.query(`INSERT INTO patients VALUES ($1, $2, $3)`, [FAMILY, GIVEN, BIRTH_DATE])],
    ['a NUL character', '22021', (source) => source.query(`INSERT INTO patients VALUES ($1, $2, $3)`, [`${FAMILY}\u0000x`, GIVEN, BIRTH_DATE])],
    ['an invalid value', '22008', (source) => source.query(`INSERT INTO patients VALUES ($1, $2, $3::date + interval '1 day' * 999999999)`, [`${FAMILY}-2`, GIVEN, BIRTH_DATE])],
    ['an invalid date naming the birth date', '22007', (source) => source.query(`SELECT $1::date, $2::text`, [`${BIRTH_DATE}x${GIVEN}`, FAMILY])],
    [
      'a statement timeout',
      '57014',
      (source) =>
        source.transaction(async (manager) => {
          await manager.query(`SET LOCAL statement_timeout = 50`);
          return preparedQuery(manager, 'sc_slow_patient', `SELECT pg_sleep(1), $1::text, $2::text`, [FAMILY, BIRTH_DATE]);
        }),
    ],
  ];

  it.each(failures)('keeps the patient out of the line for %s, keeping SQLSTATE and constraint', async (_name, sqlState, fail) => {
    const error = await fail(db).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeDefined();
    const { logger, lines } = capturingLogger();
    logger.error({ err: error }, safeErrorMessage(error));
    logger.error(error as Error);
    logger.warn({ err: new Error('wrapped', { cause: error }) }, 'wrapped failure');
    const output = lines.join('');
    for (const value of [FAMILY, GIVEN, BIRTH_DATE]) {
      expect(output).not.toContain(value);
    }
    expect(output).not.toContain('parameters');
    const first = JSON.parse(lines[0]) as { err: { sqlState?: string; constraint?: string } };
    expect(first.err.sqlState).toBe(sqlState);
    if (sqlState === '23505') {
      expect(first.err.constraint).toBe('patients_family_unique');
    }
  });
});
