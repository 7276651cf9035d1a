import { Client } from 'pg';
import { formatHl7Timestamp } from '@sc/hl7';
import { MllpClient } from '@sc/mllp';
import { SystemUnderTest, databaseUrl, eventually, syntheticAdt } from '@sc/testing';
import { loadRoster } from './roster';

const PATIENTS = 40;

describe('pharmacy-alert killed mid-stream', () => {
  let system: SystemUnderTest;

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['adt-ingest', 'pharmacy-alert', 'notifier'] });
  }, 120_000);

  afterAll(async () => {
    await system?.stop();
  }, 60_000);

  it('loses no discharge and duplicates no task or notification after SIGKILL and restart', async () => {
    const pharmacyAlert = system.service('pharmacy-alert');
    const roster = Array.from({ length: PATIENTS }, (_, index) => ({
      pharmacyPatientId: `SP-CRASH-${index}`,
      mrn: `CRASH${index}`,
      pharmacistId: `pharm-${index % 4}`,
    }));
    await loadRoster(pharmacyAlert.url(''), roster, system.authorization('roster-feed', ['integration']));

    const mllp = new MllpClient({ host: '127.0.0.1', port: system.mllpPort });
    await mllp.connect();
    const acks: string[] = [];
    for (const [index, entry] of roster.entries()) {
      if (index === PATIENTS / 4) {
        await pharmacyAlert.kill('SIGKILL');
      }
      // Discharged now: a fresh 24-hour clock, so no escalation adds notifications to count.
      const ack = await mllp.send(
        syntheticAdt({ trigger: 'A03', controlId: `CRASH-${index}`, mrn: entry.mrn, visitNumber: `V-CRASH-${index}`, clinicalTime: formatHl7Timestamp(new Date()) }),
      );
      acks.push(ack);
    }
    await mllp.close();
    expect(acks.filter((ack) => ack.includes('MSA|AA|'))).toHaveLength(PATIENTS);

    await pharmacyAlert.start();

    const tasksDb = new Client({ connectionString: databaseUrl(system.runId, 'pharmacy-alert') });
    const notifierDb = new Client({ connectionString: databaseUrl(system.runId, 'notifier') });
    await tasksDb.connect();
    await notifierDb.connect();
    try {
      await eventually(async () => {
        const { rows } = await tasksDb.query<{ count: string }>('SELECT count(*) FROM tasks');
        return Number(rows[0].count) >= PATIENTS ? true : undefined;
      }, 60_000);
      await eventually(async () => {
        const { rows } = await notifierDb.query<{ count: string }>('SELECT count(*) FROM deliveries');
        return Number(rows[0].count) >= PATIENTS ? true : undefined;
      }, 60_000);
      // Let any redelivered events settle before counting duplicates.
      await new Promise((resolve) => setTimeout(resolve, 2000));

      const tasks = await tasksDb.query<{ episode_key: string; count: string }>('SELECT episode_key, count(*) FROM tasks GROUP BY episode_key');
      expect(tasks.rows).toHaveLength(PATIENTS);
      expect(tasks.rows.every((row) => row.count === '1')).toBe(true);
      const expectedEpisodes = roster.map((_, index) => `enc:LGH:V-CRASH-${index}`).sort();
      expect(tasks.rows.map((row) => row.episode_key).sort()).toEqual(expectedEpisodes);

      const deliveries = await notifierDb.query<{ count: string; distinct_notifications: string }>(
        'SELECT count(*), count(DISTINCT notification_id) AS distinct_notifications FROM deliveries',
      );
      expect(deliveries.rows[0]).toEqual({ count: String(PATIENTS), distinct_notifications: String(PATIENTS) });
    } finally {
      await tasksDb.end();
      await notifierDb.end();
    }
  }, 180_000);
});
