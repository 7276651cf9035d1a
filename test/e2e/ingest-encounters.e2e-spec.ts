import type { Client } from 'pg';
import type { EncounterEpisode, EventEnvelope, EventType } from '@sc/contracts';
import type { MllpClient } from '@sc/mllp';
import { SystemUnderTest, eventually } from '@sc/testing';
import { adt, type AdtSpec } from '../../apps/adt-ingest/src/__fixtures__/adt-builder';
import { ackOf, ingestDatabase, mllpClient, operatorGet, postHl7, recordEncounters, startIngest } from '../integration/ingest/support/ingest-harness';
import type { TopicRecorder } from './support/topic-recorder';

type Step = Omit<AdtSpec, 'controlId'> & { readonly trigger: string };

const episodeOf = (event: EventEnvelope): EncounterEpisode | undefined => (event.data as { episode?: EncounterEpisode }).episode;

describe('adt-ingest turns an encounter’s messages into events consumers can act on, in any arrival order', () => {
  let system: SystemUnderTest;
  let db: Client;
  let events: TopicRecorder;
  let mllp: MllpClient;
  let sequence = 0;

  /** Sends the steps in this order (each with a fresh control id), all AA. */
  async function send(visit: string, steps: readonly Step[], mrn = `MRN-${visit}`): Promise<string[]> {
    const controlIds: string[] = [];
    for (const step of steps) {
      sequence += 1;
      const controlId = `${visit}-${step.trigger}-${sequence}`;
      const ack = ackOf(await mllp.send(adt({ mrn, visit, ...step, controlId })));
      expect({ controlId, code: ack.code }).toEqual({ controlId, code: 'AA' });
      controlIds.push(controlId);
    }
    return controlIds;
  }

  /** The events of one visit, in the order they were published. */
  async function eventsOf(visit: string, count: number): Promise<EventEnvelope[]> {
    const ofVisit = (): EventEnvelope[] => events.events.filter((event) => event.correlationId === `enc:LGH:${visit}`);
    await eventually(async () => (ofVisit().length >= count ? true : undefined));
    // Nothing more may follow.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return ofVisit();
  }

  async function encounter(visit: string): Promise<{ state: string; subject: string }> {
    const { rows } = await db.query<{ state: string; subject: string }>(`SELECT state, subject FROM encounters WHERE sending_facility = 'LGH' AND visit_number = $1`, [visit]);
    return rows[0];
  }

  async function outcomes(controlIds: string[]): Promise<string[]> {
    const { rows } = await db.query<{ control_id: string; state_outcome: string }>('SELECT control_id, state_outcome FROM received_messages WHERE control_id = ANY($1)', [controlIds]);
    return controlIds.map((controlId) => rows.find((row) => row.control_id === controlId)?.state_outcome ?? 'missing');
  }

  beforeAll(async () => {
    system = await startIngest({ ENHANCED_ACK_FACILITIES: 'ENH' });
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

  describe('the encounter state machine', () => {
    it('holds an A13 that arrives before its A03 and publishes neither, leaving the patient admitted', async () => {
      const ids = await send('V-HELD', [{ trigger: 'A01' }, { trigger: 'A13', eventTime: '20261120142500-0600' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }]);

      expect((await eventsOf('V-HELD', 1)).map((event) => event.type)).toEqual(['encounter.admitted']);
      expect(await outcomes(ids)).toEqual(['applied', 'held', 'suppressed']);
      expect((await encounter('V-HELD')).state).toBe('admitted');
    });

    it('still discharges on an A03 that arrives after a later A08', async () => {
      await send('V-LATE-A03', [{ trigger: 'A01' }, { trigger: 'A08', eventTime: '20261120160000-0600' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }]);

      expect((await eventsOf('V-LATE-A03', 3)).map((event) => event.type)).toEqual(['encounter.admitted', 'encounter.updated', 'encounter.discharged']);
      expect((await encounter('V-LATE-A03')).state).toBe('discharged');
    });

    const warningsOf = async (controlId: string): Promise<string[]> =>
      (
        await db.query<{ warning: string }>('SELECT w.warning FROM message_warnings w JOIN received_messages m ON m.id = w.message_id WHERE m.control_id = $1 ORDER BY 1', [controlId])
      ).rows.map((row) => row.warning);

    it('discharges on an A03 dated before the last transfer (A02 after A03 in clinical time) and records a warning on it', async () => {
      const ids = await send('V-A02-A03', [{ trigger: 'A01' }, { trigger: 'A02', eventTime: '20261120150000-0600' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }]);

      expect((await eventsOf('V-A02-A03', 3)).map((event) => event.type)).toEqual(['encounter.admitted', 'encounter.transferred', 'encounter.discharged']);
      expect(await outcomes(ids)).toEqual(['applied', 'applied', 'applied']);
      expect(await warningsOf(ids[2])).toEqual(['discharge-before-last-event']);
      expect((await encounter('V-A02-A03')).state).toBe('discharged');
      // The interface team finds it through the operator API by its warning.
      const flagged = await operatorGet<{ items: Array<{ controlId: string; warnings: string[] }> }>(system, '/v1/messages?warning=discharge-before-last-event');
      expect(flagged.items.find((item) => item.controlId === ids[2])?.warnings).toEqual(['discharge-before-last-event']);
      expect(flagged.items.map((item) => item.controlId)).not.toContain(ids[1]);
    });

    it('publishes a second A03 as an amendment', async () => {
      const ids = await send('V-A03-TWICE', [{ trigger: 'A01' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }, { trigger: 'A03', dischargeTime: '20261120143000-0600' }]);

      const [, first, second] = await eventsOf('V-A03-TWICE', 3);
      expect([first.type, second.type]).toEqual(['encounter.discharged', 'encounter.discharged']);
      expect(episodeOf(second)).toMatchObject({ amendsEventId: first.id });
      expect(await outcomes(ids)).toEqual(['applied', 'applied', 'amended']);
    });

    it('discharges after a cancelled admission (A03 after A11) and records a warning on it', async () => {
      const ids = await send('V-A11-A03', [{ trigger: 'A01', eventTime: '20261120090000-0600' }, { trigger: 'A11', eventTime: '20261120100000-0600' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }]);

      expect((await eventsOf('V-A11-A03', 3)).map((event) => event.type)).toEqual(['encounter.admitted', 'encounter.admission-cancelled', 'encounter.discharged']);
      expect(await warningsOf(ids[2])).toEqual(['discharge-after-cancelled-admission']);
    });

    it('keeps the discharge when its A01 arrives after it, publishing nothing for the A01 (stale)', async () => {
      const ids = await send('V-A03-A01', [{ trigger: 'A03', dischargeTime: '20261120142500-0600' }, { trigger: 'A01', eventTime: '20261117083000-0600' }]);

      expect((await eventsOf('V-A03-A01', 1)).map((event) => event.type)).toEqual(['encounter.discharged']);
      expect(await outcomes(ids)).toEqual(['applied', 'stale']);
      expect((await encounter('V-A03-A01')).state).toBe('discharged');
    });

    it('does not reopen a discharged encounter on A08', async () => {
      await send('V-NO-REOPEN', [{ trigger: 'A01' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }, { trigger: 'A08', eventTime: '20261120170000-0600' }]);

      const [, , update] = await eventsOf('V-NO-REOPEN', 3);
      expect(update.type).toBe('encounter.updated');
      expect(episodeOf(update)).toMatchObject({ state: 'discharged', previousState: 'discharged' });
      expect((await encounter('V-NO-REOPEN')).state).toBe('discharged');
    });

    it('retracts a discharge on A13, naming the discharge event, after it on the same partition', async () => {
      await send('V-A13', [{ trigger: 'A01' }, { trigger: 'A03', dischargeTime: '20261120142500-0600' }, { trigger: 'A13', eventTime: '20261120150000-0600' }]);

      const [admitted, discharged, cancelled] = await eventsOf('V-A13', 3);
      expect([admitted.type, discharged.type, cancelled.type]).toEqual(['encounter.admitted', 'encounter.discharged', 'encounter.discharge-cancelled']);
      expect(episodeOf(cancelled)).toMatchObject({ state: 'admitted', previousState: 'discharged', retractsEventId: discharged.id });
      expect(new Set([admitted.subject, discharged.subject, cancelled.subject]).size).toBe(1);
    });

    it('retracts an admission on A11 and a transfer on A12', async () => {
      await send('V-A11', [{ trigger: 'A01' }, { trigger: 'A11', eventTime: '20261120150000-0600' }]);
      await send('V-A12', [{ trigger: 'A01' }, { trigger: 'A02', eventTime: '20261120143000-0600' }, { trigger: 'A12', eventTime: '20261120150000-0600' }]);

      const [admission, admissionCancelled] = await eventsOf('V-A11', 2);
      expect(admissionCancelled.type).toBe('encounter.admission-cancelled');
      expect(episodeOf(admissionCancelled)).toMatchObject({ retractsEventId: admission.id, state: 'cancelled' });
      const [, transfer, transferCancelled] = await eventsOf('V-A12', 3);
      expect(transferCancelled.type).toBe('encounter.transfer-cancelled');
      expect(episodeOf(transferCancelled)).toMatchObject({ retractsEventId: transfer.id, state: 'admitted' });
    });

    it('moves the merged-away patient’s encounters to the survivor on A40, and attributes their late messages to the survivor', async () => {
      await send('V-PRIOR', [{ trigger: 'A01' }], 'MRN-PRIOR');
      await send('V-SURVIVOR', [{ trigger: 'A01' }], 'MRN-SURVIVOR');
      const [prior] = await eventsOf('V-PRIOR', 1);
      const [survivor] = await eventsOf('V-SURVIVOR', 1);
      sequence += 1;
      expect(ackOf(await mllp.send(adt({ trigger: 'A40', controlId: `MERGE-${sequence}`, mrn: 'MRN-SURVIVOR', priorMrn: 'MRN-PRIOR', without: ['PV1'] }))).code).toBe('AA');

      const merged = await events.waitFor('patient.merged', (event) => event.data.messageControlId === `MERGE-${sequence}`);
      expect(merged.subject).toBe(survivor.subject);
      expect(merged.data.priorSubject).toBe(prior.subject);
      expect(episodeOf(merged)?.movedEpisodes).toEqual(['enc:LGH:V-PRIOR']);
      expect((await encounter('V-PRIOR')).subject).toBe(survivor.subject);

      await send('V-PRIOR', [{ trigger: 'A03', dischargeTime: '20261120142500-0600' }], 'MRN-PRIOR');
      const [, lateDischarge] = await eventsOf('V-PRIOR', 2);
      expect(lateDischarge.type).toBe('encounter.discharged');
      expect(lateDischarge.subject).toBe(survivor.subject);
    });
  });

  describe('enhanced acknowledgment mode (facility ENH agreed to it)', () => {
    const enhanced = (controlId: string, ackTypes: [string, string], extra: Partial<AdtSpec> = {}): string =>
      adt({ trigger: 'A01', facility: 'ENH', controlId, visit: `V-${controlId}`, ackTypes, ...extra });

    it('sends the commit ACK (CA) after the commit and then, on the same connection, the application ACK (AA) as a message of its own', async () => {
      const [commit, application] = await mllp.exchange(enhanced('ENH-1', ['AL', 'AL']), 2);

      expect([ackOf(commit), ackOf(application)]).toMatchObject([
        { code: 'CA', controlId: 'ENH-1' },
        { code: 'AA', controlId: 'ENH-1' },
      ]);
      expect(application).toMatch(/^MSH\|[^\r]*\|NE\|NE(\||\r)/);
      const { rows } = await db.query('SELECT ack_mode, ack_text, application_ack_text FROM received_messages WHERE control_id = $1', ['ENH-1']);
      expect(rows).toEqual([{ ack_mode: 'enhanced', ack_text: commit, application_ack_text: application }]);
    });

    it('sends only what MSH-15/16 ask for: AL/ER on success is one CA, NE/NE is nothing, and the connection stays in step', async () => {
      expect((await mllp.exchange(enhanced('ENH-2', ['AL', 'ER']), 1)).map((ack) => ackOf(ack).code)).toEqual(['CA']);
      await mllp.exchange(enhanced('ENH-3', ['NE', 'NE']), 0);
      const next = await mllp.exchange(enhanced('ENH-4', ['AL', 'SU']), 2);

      expect(next.map((ack) => `${ackOf(ack).code ?? ''}:${ackOf(ack).controlId ?? ''}`)).toEqual(['CA:ENH-4', 'AA:ENH-4']);
      await eventually(async () => ((await db.query(`SELECT 1 FROM received_messages WHERE control_id = 'ENH-3'`)).rows.length === 1 ? true : undefined));
    });

    it('commit-accepts a message with a body error (kept as a reject) and reports the error in the application ACK', async () => {
      const [commit, application] = await mllp.exchange(enhanced('ENH-5', ['AL', 'AL'], { pid: { 3: '' } }), 2);

      expect(ackOf(commit).code).toBe('CA');
      expect(ackOf(application)).toMatchObject({ code: 'AE', errSegment: 'PID', errField: '3', errCode: '101' });
      const { rows } = await db.query('SELECT ack_mode FROM rejects WHERE control_id = $1', ['ENH-5']);
      expect(rows).toEqual([{ ack_mode: 'enhanced' }]);
    });

    it('commit-rejects (CR) what it refuses outright, without an application ACK', async () => {
      const [reject] = await mllp.exchange(enhanced('ENH-6', ['AL', 'AL'], { version: '2.9' }), 1);
      const [nextCommit] = await mllp.exchange(enhanced('ENH-7', ['AL', 'NE']), 1);

      expect(ackOf(reject)).toMatchObject({ code: 'CR', errCode: '203' });
      expect(ackOf(nextCommit)).toMatchObject({ code: 'CA', controlId: 'ENH-7' });
    });

    it('answers a resend with both stored acknowledgments, and an HTTP sender with both in one body', async () => {
      const message = enhanced('ENH-8', ['AL', 'AL']);
      const first = await mllp.exchange(message, 2);
      const again = await mllp.exchange(message, 2);
      const overHttp = await (await postHl7(system, message)).text();

      expect(again).toEqual(first);
      expect(overHttp).toBe(first.join(''));
    });

    it('keeps original mode (one AA) for facilities that did not agree, whatever MSH-15/16 say', async () => {
      const [ack] = await mllp.exchange(adt({ trigger: 'A01', controlId: 'ORIG-1', visit: 'V-ORIG-1', ackTypes: ['AL', 'AL'] }), 1);

      expect(ackOf(ack)).toMatchObject({ code: 'AA', controlId: 'ORIG-1' });
    });
  });

  it('publishes each event type once per message that changed its encounter', () => {
    const types = new Set(events.events.map((event) => event.type));
    const expected: EventType[] = ['encounter.admitted', 'encounter.discharged', 'encounter.discharge-cancelled', 'encounter.admission-cancelled', 'encounter.transfer-cancelled', 'patient.merged'];
    expect([...types]).toEqual(expect.arrayContaining(expected));
    const ids = events.events.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
