import type { Client } from 'pg';
import type { MllpClient } from '@sc/mllp';
import { SystemUnderTest, eventually } from '@sc/testing';
import { adt } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { ackOf, ingestDatabase, mllpClient, operatorGet, startIngest } from '../integration/ingest/support/ingest-harness';

interface MessageSummary {
  id: string;
  controlId: string;
  status: string;
  stateOutcome: string | null;
  subject: string;
  receivedAt: string;
  rawAvailable: boolean;
}
interface MessageDetail extends MessageSummary {
  rawMasked: string | null;
  ack: string | null;
}
interface RejectSummary {
  id: string;
  controlId: string | null;
  errorCode: number;
  errorSegment: string | null;
  errorField: number | null;
  status: string;
  replayAttempts: number;
  replayedMessageId: string | null;
  rawAvailable: boolean;
}
interface RejectDetail extends RejectSummary {
  rawMasked: string | null;
  nak: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface Replay {
  disposition: string;
  acks: string[];
  messageId: string | null;
  rejectId: string | null;
  rejectStatus: string;
}

describe('the interface team finds, reads and replays messages through the operator API', () => {
  let system: SystemUnderTest;
  let db: Client;
  let mllp: MllpClient;
  const admin = () => system.authorization('interface-analyst', ['admin']);

  async function replay(rejectId: string, corrected?: string): Promise<{ status: number; body: Replay }> {
    const response = await fetch(system.service('adt-ingest').url(`/v1/rejects/${rejectId}/replay`), {
      method: 'POST',
      headers: { ...admin(), ...(corrected === undefined ? {} : { 'Content-Type': 'application/hl7-v2' }) },
      body: corrected,
    });
    return { status: response.status, body: (await response.json()) as Replay };
  }

  async function rejectFor(controlId: string): Promise<RejectSummary> {
    const page = await operatorGet<Page<RejectSummary>>(system, `/v1/rejects?controlId=${encodeURIComponent(controlId)}`);
    expect(page.items).toHaveLength(1);
    return page.items[0];
  }

  beforeAll(async () => {
    system = await startIngest({ RAW_RETENTION_DAYS: '1', RAW_PURGE_INTERVAL_MS: '500' });
    db = await ingestDatabase(system);
    mllp = await mllpClient(system);
    const messages = [
      adt({ trigger: 'A01', controlId: 'OP-1', mrn: 'OPMRN1', visit: 'V-OP-1', pid: { 3: 'OPMRN1^^^LGH^MR~MB-OP-1^^^ACME^MB' } }),
      adt({ trigger: 'A03', controlId: 'OP-2', mrn: 'OPMRN1', visit: 'V-OP-1', dischargeTime: '20261120142500-0600', ssn: '111-22-3333' }),
      adt({ trigger: 'A01', controlId: 'OP-3', mrn: 'OPMRN2', visit: 'V-OP-3' }),
      adt({ trigger: 'A01', controlId: 'OP-4', mrn: 'OPMRN2', visit: 'V-OP-4', processingId: 'T' }),
    ];
    for (const message of messages) {
      expect(ackOf(await mllp.send(message)).code).toBe('AA');
    }
  }, 120_000);

  afterAll(async () => {
    await mllp?.close();
    await db?.end();
    await system?.stop();
  }, 60_000);

  it('finds messages by control id, patient identifier (with or without authority), status and time range', async () => {
    const byControlId = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?controlId=OP-2');
    const byIdentifier = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?identifier=OPMRN1&authority=LGH');
    const byMemberId = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?identifier=MB-OP-1');
    const wrongAuthority = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?identifier=OPMRN1&authority=ACME');
    const notProduction = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?status=not-production');
    const future = await operatorGet<Page<MessageSummary>>(system, `/v1/messages?from=${new Date(Date.now() + 60_000).toISOString()}`);
    const bySubject = await operatorGet<Page<MessageSummary>>(system, `/v1/messages?subject=${byControlId.items[0].subject}`);

    expect(byControlId.items.map((item) => [item.controlId, item.stateOutcome])).toEqual([['OP-2', 'applied']]);
    expect(byIdentifier.items.map((item) => item.controlId)).toEqual(['OP-2', 'OP-1']);
    expect(byMemberId.items.map((item) => item.controlId)).toEqual(['OP-1']);
    expect(wrongAuthority.items).toEqual([]);
    expect(notProduction.items.map((item) => item.controlId)).toEqual(['OP-4']);
    expect(future.items).toEqual([]);
    expect(bySubject.items.map((item) => item.controlId)).toEqual(['OP-2', 'OP-1']);
    const { rows } = await db.query<{ hashes: string }>(`SELECT identifier_hashes::text AS hashes FROM received_messages WHERE control_id = 'OP-1'`);
    expect(rows[0].hashes).not.toContain('OPMRN1');
  });

  it('pages through results with a cursor', async () => {
    const first = await operatorGet<Page<MessageSummary>>(system, '/v1/messages?limit=2');
    const second = await operatorGet<Page<MessageSummary>>(system, `/v1/messages?limit=2&cursor=${first.nextCursor ?? ''}`);

    expect(first.items).toHaveLength(2);
    expect(second.items.map((item) => item.controlId)).not.toContain(first.items[0].controlId);
    expect([...first.items, ...second.items].map((item) => item.controlId).sort()).toEqual(['OP-1', 'OP-2', 'OP-3', 'OP-4']);
  });

  it('shows one message masked, with the acknowledgment sent, and records the read in the audit log', async () => {
    const [summary] = (await operatorGet<Page<MessageSummary>>(system, '/v1/messages?controlId=OP-2')).items;
    const detail = await operatorGet<MessageDetail>(system, `/v1/messages/${summary.id}`);

    expect(detail.rawMasked).toContain('***-**-****');
    expect(detail.rawMasked).not.toContain('111-22-3333');
    expect(ackOf(detail.ack)).toMatchObject({ code: 'AA', controlId: 'OP-2' });
    const { rows } = await db.query<{ actor_id: string; patient_refs: string[] }>('SELECT actor_id, patient_refs FROM audit_log WHERE resource = $1', [`/v1/messages/${summary.id}`]);
    expect(rows).toEqual([{ actor_id: 'interface-analyst', patient_refs: [summary.subject] }]);
  });

  it('refuses the operator API to anonymous callers and to roles other than admin', async () => {
    const url = system.service('adt-ingest').url('/v1/messages');
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: system.authorization('feed', ['integration']) })).status).toBe(403);
    expect((await fetch(system.service('adt-ingest').url('/v1/messages/00000000-0000-4000-8000-000000000000'), { headers: admin() })).status).toBe(404);
  });

  it('lists rejects, shows one, and replays it after the sender’s fix, settling it', async () => {
    const broken = adt({ trigger: 'A03', controlId: 'OP-BAD-1', mrn: 'OPMRN3', visit: 'V-OP-BAD', dischargeTime: '2026-11-20' });
    expect(ackOf(await mllp.send(broken))).toMatchObject({ code: 'AE', errSegment: 'PV1', errField: '45' });
    const reject = await rejectFor('OP-BAD-1');
    const detail = await operatorGet<RejectDetail>(system, `/v1/rejects/${reject.id}`);
    const openOnes = await operatorGet<Page<RejectSummary>>(system, '/v1/rejects?status=open&errorCode=102');

    expect(detail).toMatchObject({ errorCode: 102, errorSegment: 'PV1', errorField: 45, status: 'open', rawAvailable: true });
    expect(ackOf(detail.nak).code).toBe('AE');
    expect(openOnes.items.map((item) => item.id)).toContain(reject.id);

    const stillBroken = await replay(reject.id);
    expect(stillBroken.body).toMatchObject({ disposition: 'rejected', rejectStatus: 'open' });
    const fixed = await replay(reject.id, broken.replace('|2026-11-20', '|20261120142500-0600'));
    expect(fixed.status).toBe(200);
    expect(fixed.body).toMatchObject({ disposition: 'accepted', rejectStatus: 'replayed' });
    expect(ackOf(fixed.body.acks[0])).toMatchObject({ code: 'AA', controlId: 'OP-BAD-1' });

    const settled = await operatorGet<RejectDetail>(system, `/v1/rejects/${reject.id}`);
    expect(settled).toMatchObject({ status: 'replayed', replayAttempts: 2, replayedMessageId: fixed.body.messageId });
    const stored = await operatorGet<MessageDetail>(system, `/v1/messages/${fixed.body.messageId ?? ''}`);
    expect(stored).toMatchObject({ controlId: 'OP-BAD-1', stateOutcome: 'applied' });
    expect((await replay(reject.id, broken)).status).toBe(409);
  });

  it('replays the stored message when the fix was on our side (here: the database refused its row)', async () => {
    await db.query(`
      CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.control_id LIKE 'POISON%' THEN RAISE EXCEPTION 'poison row'; END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER refuse_poison BEFORE INSERT ON received_messages FOR EACH ROW EXECUTE FUNCTION refuse_poison();
    `);
    try {
      expect(ackOf(await mllp.send(adt({ trigger: 'A01', controlId: 'POISON-OP', visit: 'V-POISON-OP' })))).toMatchObject({ code: 'AR', errCode: '207' });
    } finally {
      await db.query('DROP TRIGGER refuse_poison ON received_messages; DROP FUNCTION refuse_poison()');
    }
    const reject = await rejectFor('POISON-OP');

    const replayed = await replay(reject.id);

    expect(replayed.body).toMatchObject({ disposition: 'accepted', rejectStatus: 'replayed' });
    const [message] = (await operatorGet<Page<MessageSummary>>(system, '/v1/messages?controlId=POISON-OP')).items;
    expect(message).toMatchObject({ status: 'accepted' });
  });

  it('removes raw text past the retention period, keeps the rest of the row, and then needs the corrected message to replay', async () => {
    expect(ackOf(await mllp.send(adt({ trigger: 'A01', controlId: 'OP-OLD-BAD', pid: { 3: '' } }))).code).toBe('AE');
    await db.query(`UPDATE received_messages SET received_at = now() - interval '3 days' WHERE control_id = 'OP-3'`);
    await db.query(`UPDATE rejects SET received_at = now() - interval '3 days' WHERE control_id = 'OP-OLD-BAD'`);

    await eventually(async () => {
      const { rows } = await db.query(`SELECT 1 FROM received_messages WHERE control_id = 'OP-3' AND raw_masked IS NULL`);
      return rows.length === 1 ? true : undefined;
    }, 10_000);
    const [purged] = (await operatorGet<Page<MessageSummary>>(system, '/v1/messages?controlId=OP-3')).items;
    const [kept] = (await operatorGet<Page<MessageSummary>>(system, '/v1/messages?controlId=OP-2')).items;
    expect([purged.rawAvailable, kept.rawAvailable]).toEqual([false, true]);
    expect((await operatorGet<MessageDetail>(system, `/v1/messages/${purged.id}`)).rawMasked).toBeNull();

    const oldReject = await eventually(async () => {
      const reject = await rejectFor('OP-OLD-BAD');
      return reject.rawAvailable ? undefined : reject;
    }, 10_000);
    expect((await replay(oldReject.id)).status).toBe(409);
    // The row still recognises a resend.
    expect(ackOf(await mllp.send(adt({ trigger: 'A01', controlId: 'OP-3', mrn: 'OPMRN2', visit: 'V-OP-3' }))).code).toBe('AA');
  });
});
