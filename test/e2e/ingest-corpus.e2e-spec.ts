import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';
import { parseHl7 } from '@sc/hl7';
import { MllpClient } from '@sc/mllp';
import { SystemUnderTest, eventually, repoRoot } from '@sc/testing';
import { adt } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { CORPUS_TIME_ZONES, REFUSED_CASES, TIME_CASES, TRIGGER_CASES, VENDOR_CASES } from '../../apps/adt-ingest/src/__fixtures__/corpus';
import { ackOf, ingestDatabase, mllpClient, postHl7, recordEncounters, startIngest } from '../integration/ingest/support/ingest-harness';
import type { TopicRecorder } from './support/topic-recorder';

const zones = Object.entries(CORPUS_TIME_ZONES)
  .map(([facility, zone]) => `${facility}=${zone}`)
  .join(',');

describe('adt-ingest takes the fixture corpus end to end', () => {
  let system: SystemUnderTest;
  let db: Client;
  let events: TopicRecorder;
  let mllp: MllpClient;

  beforeAll(async () => {
    system = await startIngest({ FACILITY_TIME_ZONES: zones });
    db = await ingestDatabase(system);
    events = await recordEncounters(system);
    mllp = await mllpClient(system);
  }, 120_000);

  afterAll(async () => {
    await mllp?.close();
    await events?.stop();
    await db?.end();
    await system?.stop();
  }, 60_000);

  it('acknowledges every vendor-style and per-trigger message (AA after commit), stores it masked and publishes its typed event', async () => {
    for (const entry of [...VENDOR_CASES, ...TRIGGER_CASES]) {
      const ack = ackOf(await mllp.send(entry.bytes));
      expect({ name: entry.name, ...ack }).toMatchObject({ name: entry.name, code: 'AA', controlId: entry.accepted.controlId });
    }
    for (const entry of [...VENDOR_CASES, ...TRIGGER_CASES]) {
      const { accepted } = entry;
      const event = await events.waitFor(accepted.eventType as 'encounter.updated', (candidate) => candidate.data.messageControlId === accepted.controlId);
      expect({ name: entry.name, occurredAt: event.occurredAt, correlationId: event.correlationId }).toEqual({
        name: entry.name,
        occurredAt: accepted.occurredAt,
        correlationId: accepted.correlationId,
      });
      expect(event.data).toMatchObject(accepted.data ?? {});
      const { rows } = await db.query<{ raw_masked: string; status: string; event_id: string }>(
        'SELECT raw_masked, status, event_id FROM received_messages WHERE sending_facility = $1 AND control_id = $2',
        [accepted.facility, accepted.controlId],
      );
      expect(rows).toEqual([{ raw_masked: expect.any(String), status: 'accepted', event_id: event.id }]);
      if (accepted.secret) {
        expect(rows[0].raw_masked).not.toContain(accepted.secret);
        expect(JSON.stringify(event)).not.toContain(accepted.secret);
      }
    }
  }, 60_000);

  it('places every message at its clinical time, whatever the precision, offset or facility zone', async () => {
    for (const entry of TIME_CASES) {
      expect(ackOf(await mllp.send(entry.bytes)).code).toBe('AA');
    }
    for (const entry of TIME_CASES) {
      const controlId = parseHl7(entry.bytes.toString('utf8')).get('MSH-10');
      const event = await eventually(async () => events.events.find((candidate) => (candidate.data as { messageControlId?: string }).messageControlId === controlId));
      expect({ name: entry.name, occurredAt: event.occurredAt }).toEqual({ name: entry.name, occurredAt: entry.occurredAt });
    }
  }, 60_000);

  it('NAKs every malformed message with an ERR naming segment, field and 0357 code, stores the reject, and keeps the connection usable', async () => {
    for (const entry of REFUSED_CASES) {
      const nak = ackOf(await mllp.send(entry.bytes));
      expect({ name: entry.name, code: nak.code, errCode: nak.errCode }).toEqual({ name: entry.name, code: entry.refused.ack, errCode: String(entry.refused.code) });
      expect(nak.errSegment).toBe(entry.refused.segment);
      expect(nak.errField).toBe(entry.refused.field === undefined ? undefined : String(entry.refused.field));
    }
    const { rows } = await db.query<{ error_code: number; raw_masked: string }>('SELECT error_code, raw_masked FROM rejects');
    expect(rows.map((row) => row.error_code).sort()).toEqual(REFUSED_CASES.map((entry) => entry.refused.code).sort());
    expect(rows.every((row) => !row.raw_masked.includes('\u0000'))).toBe(true);
    expect(ackOf(await mllp.send(adt({ trigger: 'A01', controlId: 'AFTER-NAKS', visit: 'V-AFTER' }))).code).toBe('AA');
  }, 60_000);

  it('answers a resend with the stored ACK and no second event, also across transports; refuses the same control id with other content (AR 205) and keeps it as a reject', async () => {
    const original = adt({ trigger: 'A03', controlId: 'RESEND-1', visit: 'V-RESEND', dischargeTime: '20261120150000-0600' });
    const first = await mllp.send(original);
    const again = await mllp.send(original.replace(/\r/g, '\r\n'));
    const overHttp = await (await postHl7(system, original)).text();
    const changed = ackOf(await mllp.send(original.replace('TESTER', 'CHANGED')));

    expect([again, overHttp]).toEqual([first, first]);
    expect(changed).toMatchObject({ code: 'AR', errCode: '205', errSegment: 'MSH', errField: '10' });
    await events.waitFor('encounter.discharged', (event) => event.data.messageControlId === 'RESEND-1');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(events.of('encounter.discharged', (event) => event.data.messageControlId === 'RESEND-1')).toHaveLength(1);
    const { rows } = await db.query<{ error_code: number }>(`SELECT error_code FROM rejects WHERE control_id = 'RESEND-1'`);
    expect(rows).toEqual([{ error_code: 205 }]);
  }, 30_000);

  it('tells copies of one message apart from a conflicting one when they share a transaction', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(() => MllpClient.connect({ port: system.mllpPort })));
    try {
      const message = adt({ trigger: 'A01', controlId: 'SAME-BATCH', visit: 'V-SAME-BATCH' });
      const answers = await Promise.all([
        clients[0].send(message),
        clients[1].send(message),
        clients[2].send(message.replace('TESTER', 'OTHER')),
        clients[3].send(message),
      ]);
      const codes = answers.map((answer) => ackOf(answer).code);

      expect(codes.filter((code) => code === 'AA')).toHaveLength(3);
      expect(codes.filter((code) => code === 'AR')).toHaveLength(1);
      expect(new Set(answers.filter((answer) => ackOf(answer).code === 'AA')).size).toBe(1);
      const { rows } = await db.query(`SELECT 1 FROM received_messages WHERE control_id = 'SAME-BATCH'`);
      expect(rows).toHaveLength(1);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  });

  it('acknowledges training and debugging messages but creates no work for them (MSH-11 T or D on a production receiver)', async () => {
    for (const processingId of ['T', 'D']) {
      const ack = ackOf(await mllp.send(adt({ trigger: 'A03', controlId: `NOTPROD-${processingId}`, processingId, visit: `V-NOTPROD-${processingId}` })));
      expect(ack.code).toBe('AA');
    }
    const { rows } = await db.query<{ status: string; event_id: string | null }>(`SELECT status, event_id FROM received_messages WHERE control_id LIKE 'NOTPROD-%'`);
    expect(rows).toEqual([
      { status: 'not-production', event_id: null },
      { status: 'not-production', event_id: null },
    ]);
    const { rows: encounters } = await db.query(`SELECT 1 FROM encounters WHERE visit_number LIKE 'V-NOTPROD-%'`);
    expect(encounters).toEqual([]);
  });

  it('never stores, publishes or logs an SSN sent in PID-19 or as an SS identifier', async () => {
    const ssn = '321-54-9876';
    const message = adt({ trigger: 'A03', controlId: 'SSN-1', visit: 'V-SSN', ssn, pid: { 3: `MSSN^^^LGH^MR~${ssn}^^^SSA^SS` } });
    expect(ackOf(await mllp.send(message)).code).toBe('AA');
    expect(ackOf(await mllp.send(message.replace('ADT^A03', 'ADT^A99').replace('SSN-1', 'SSN-2'))).code).toBe('AR');
    const event = await events.waitFor('encounter.discharged', (candidate) => candidate.data.messageControlId === 'SSN-1');

    const { rows } = await db.query<{ dump: string }>(
      `SELECT concat_ws('|', (SELECT string_agg(r::text, '|') FROM received_messages r), (SELECT string_agg(j::text, '|') FROM rejects j),
                        (SELECT string_agg(o::text, '|') FROM outbox o), (SELECT string_agg(e::text, '|') FROM encounters e)) AS dump`,
    );
    const log = readFileSync(path.join(repoRoot(), '.run', 'test-logs', system.runId, 'adt-ingest.log'), 'utf8');
    for (const haystack of [rows[0].dump, JSON.stringify(event), log]) {
      expect(haystack).not.toContain(ssn);
      expect(haystack).not.toContain(ssn.replace(/-/g, ''));
    }
    expect(rows[0].dump).toContain('SSN-2');
  });

  it('answers HTTP feeds with the ACK, and refuses callers without the integration role', async () => {
    const response = await postHl7(system, adt({ trigger: 'A08', controlId: 'HTTP-1', visit: 'V-HTTP' }));
    expect(response.status).toBe(200);
    expect(ackOf(await response.text())).toMatchObject({ code: 'AA', controlId: 'HTTP-1' });

    expect((await postHl7(system, adt({ trigger: 'A08', controlId: 'HTTP-2' }), { Authorization: 'Bearer nope' })).status).toBe(401);
    expect((await postHl7(system, adt({ trigger: 'A08', controlId: 'HTTP-3' }), system.authorization('nurse-1', ['nurse']))).status).toBe(403);
    await eventually(async () => (events.of('encounter.updated', (event) => event.data.messageControlId === 'HTTP-1').length === 1 ? true : undefined));
  });
});
