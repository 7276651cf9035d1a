import { Client } from 'pg';
import { MllpClient } from '@sc/mllp';
import { ADMIN_DATABASE_URL, SystemUnderTest, databaseUrl, eventually } from '@sc/testing';
import { adt } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { ackOf, ingestDatabase, postHl7, startIngest } from '../integration/ingest/support/ingest-harness';

async function connections(system: SystemUnderTest, count: number): Promise<MllpClient[]> {
  return Promise.all(Array.from({ length: count }, () => MllpClient.connect({ port: system.mllpPort, responseTimeoutMs: 20_000 })));
}

async function metric(system: SystemUnderTest, name: string): Promise<number> {
  const text = await (await fetch(system.service('adt-ingest').url('/metrics'))).text();
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.split(' ')[1]);
}

describe('adt-ingest never sends a false ACK and commits in groups', () => {
  describe('with the default group commit', () => {
    let system: SystemUnderTest;
    let db: Client;
    let admin: Client;
    let databaseName: string;

    beforeAll(async () => {
      system = await startIngest({ ENHANCED_ACK_FACILITIES: 'ENH' });
      db = await ingestDatabase(system);
      // The outage below terminates this connection too.
      db.on('error', () => undefined);
      admin = new Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      databaseName = new URL(databaseUrl(system.runId, 'adt-ingest')).pathname.slice(1);
    }, 120_000);

    afterAll(async () => {
      await admin?.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS true`).catch(() => undefined);
      await admin?.end();
      await db?.end().catch(() => undefined);
      await system?.stop();
    }, 60_000);

    it('gathers messages from many connections into shared transactions and ACKs each after its commit', async () => {
      const clients = await connections(system, 16);
      try {
        const acks = await Promise.all(
          clients.map(async (client, connection) => {
            const answers: string[] = [];
            for (let index = 0; index < 25; index += 1) {
              answers.push(await client.send(adt({ trigger: 'A01', controlId: `GC-${connection}-${index}`, mrn: `GC${connection}`, visit: `V-GC-${connection}-${index}` })));
            }
            return answers;
          }),
        );
        expect(acks.flat().map((ack) => ackOf(ack).code)).toEqual(Array.from({ length: 400 }, () => 'AA'));
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
      const { rows } = await db.query<{ messages: string; transactions: string; events: string }>(
        `SELECT count(*) AS messages, count(DISTINCT xmin::text) AS transactions,
                (SELECT count(*) FROM outbox WHERE payload::jsonb->'data'->>'messageControlId' LIKE 'GC-%') AS events
         FROM received_messages WHERE control_id LIKE 'GC-%'`,
      );
      expect(Number(rows[0].messages)).toBe(400);
      expect(Number(rows[0].events)).toBe(400);
      expect(Number(rows[0].transactions)).toBeLessThan(400 / 2);
    }, 60_000);

    it('answers AR (original mode) or CE (enhanced) while its database refuses connections, then ACKs the resend once it is back', async () => {
      const client = await MllpClient.connect({ port: system.mllpPort, responseTimeoutMs: 20_000 });
      const message = adt({ trigger: 'A03', controlId: 'DB-DOWN-1', visit: 'V-DB-DOWN', dischargeTime: '20261120142500-0600' });
      try {
        await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS false`);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [databaseName]);

        const duringOutage = ackOf(await client.send(message));
        const enhanced = ackOf((await client.exchange(adt({ trigger: 'A01', facility: 'ENH', controlId: 'DB-DOWN-2', ackTypes: ['AL', 'AL'] }), 1))[0]);
        const overHttp = ackOf(await (await postHl7(system, adt({ trigger: 'A01', controlId: 'DB-DOWN-3' }))).text());

        expect(duringOutage).toMatchObject({ code: 'AR', controlId: 'DB-DOWN-1', errCode: '207' });
        expect(enhanced).toMatchObject({ code: 'CE', controlId: 'DB-DOWN-2' });
        expect(overHttp).toMatchObject({ code: 'AR', controlId: 'DB-DOWN-3' });
      } finally {
        await admin.query(`ALTER DATABASE "${databaseName}" ALLOW_CONNECTIONS true`);
      }

      const afterOutage = await eventually(async () => {
        const ack = ackOf(await client.send(message));
        return ack.code === 'AA' ? ack : undefined;
      }, 20_000, 250);
      await client.close();
      expect(afterOutage.controlId).toBe('DB-DOWN-1');
      const reconnected = await ingestDatabase(system);
      try {
        const { rows } = await reconnected.query(`SELECT 1 FROM received_messages WHERE control_id = 'DB-DOWN-1'`);
        expect(rows).toHaveLength(1);
      } finally {
        await reconnected.end();
      }
    }, 60_000);
  });

  describe('with one batch at a time and a 20 ms window (so concurrent messages share a transaction)', () => {
    let system: SystemUnderTest;
    let db: Client;

    beforeAll(async () => {
      system = await startIngest({ INGEST_CONCURRENT_BATCHES: '1', INGEST_BATCH_WINDOW_MS: '20' });
      db = await ingestDatabase(system);
    }, 120_000);

    afterAll(async () => {
      await db?.end();
      await system?.stop();
    }, 60_000);

    it('stores the rest of a batch when one message’s row is refused (per-message fallback), and answers that one AR 207', async () => {
      await db.query(`
        CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.control_id = 'POISON-1' THEN RAISE EXCEPTION 'poison row'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER refuse_poison BEFORE INSERT ON received_messages FOR EACH ROW EXECUTE FUNCTION refuse_poison();
      `);
      const clients = await connections(system, 8);
      try {
        const answers = await Promise.all(
          clients.map((client, index) => client.send(adt({ trigger: 'A01', controlId: index === 3 ? 'POISON-1' : `BATCH-${index}`, visit: `V-BATCH-${index}`, mrn: `B${index}` }))),
        );
        const codes = answers.map((answer) => ackOf(answer));

        expect(codes[3]).toMatchObject({ code: 'AR', controlId: 'POISON-1', errCode: '207' });
        expect(codes.filter((_, index) => index !== 3).map((ack) => ack.code)).toEqual(Array.from({ length: 7 }, () => 'AA'));
        expect(await metric(system, 'sc_ingest_batch_fallbacks_total')).toBe(1);
        const { rows } = await db.query(`SELECT control_id FROM received_messages WHERE control_id LIKE 'BATCH-%'`);
        expect(rows).toHaveLength(7);
        const { rows: rejects } = await db.query(`SELECT error_code FROM rejects WHERE control_id = 'POISON-1'`);
        expect(rejects).toEqual([{ error_code: 207 }]);
        const { rows: events } = await db.query(`SELECT 1 FROM outbox WHERE payload::jsonb->'data'->>'messageControlId' LIKE 'BATCH-%'`);
        expect(events).toHaveLength(7);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
        await db.query('DROP TRIGGER refuse_poison ON received_messages; DROP FUNCTION refuse_poison()');
      }
    }, 60_000);

    it('stores a message sent twice in one transaction once and answers both with the same ACK', async () => {
      const clients = await connections(system, 3);
      try {
        const message = adt({ trigger: 'A01', controlId: 'TWICE-1', visit: 'V-TWICE' });
        const [first, second, conflicting] = await Promise.all([
          clients[0].send(message),
          clients[1].send(message),
          clients[2].send(message.replace('TESTER', 'OTHER')),
        ]);

        expect(second).toBe(first);
        expect(ackOf(first).code).toBe('AA');
        expect(ackOf(conflicting)).toMatchObject({ code: 'AR', errCode: '205' });
        const { rows } = await db.query(`SELECT 1 FROM received_messages WHERE control_id = 'TWICE-1'`);
        expect(rows).toHaveLength(1);
        const { rows: events } = await db.query(`SELECT 1 FROM outbox WHERE payload::jsonb->'data'->>'messageControlId' = 'TWICE-1'`);
        expect(events).toHaveLength(1);
      } finally {
        await Promise.all(clients.map((client) => client.close()));
      }
    });
  });
});
