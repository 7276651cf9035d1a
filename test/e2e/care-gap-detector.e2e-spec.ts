import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createEnvelope, type EventEnvelope, type EventPayloads, type EventType } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { SystemUnderTest, databaseUrl, eventually, kafkaBrokers, repoRoot } from '@sc/testing';
import { encounterEvent } from './support/encounter-events';
import { TopicRecorder, publish } from './support/topic-recorder';

interface Gap {
  id: string;
  subject: string;
  gapType: string;
  status: string;
  severity: string;
  item: { system: string; code: string; display: string };
  coverage: { determination: string; benefitRule: string | null; planId: string | null; priorAuthorizationRequired: boolean; quantityLimit: unknown };
  explanation: { ruleId: string; ruleVersion: number; matchedCodes: string[]; evidence: string; trigger: string };
  teamId: string | null;
  closeReason: string | null;
  history?: Array<{ from: string | null; to: string; actorId: string; reason: string }>;
}

const PLAN = 'NSHP-GOLD';
const DEFAULT_TEAM = 'nursing';
/** What a notification title must never carry: an ICD-10 code or a condition's name. */
const DISCLOSING_TITLE = /\b[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?\b|hypertens|diabet|heart|copd|pregnan|postpartum|substance|alcohol|hiv|mental/i;

describe('care-gap: the missing home device, found and covered', () => {
  let system: SystemUnderTest;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  let db: Client;
  let base: string;

  // The acting person is the token's subject: a body's `actorId` names who calls, and is not sent.
  const api = async <T>(pathname: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }> => {
    const { actorId, ...body } = (init?.body ?? {}) as { actorId?: string };
    const caller = system.authorization(actorId ?? 'care-coordinator', ['nurse', 'pharmacist', 'supervisor', 'integration', 'admin']);
    const response = await fetch(`${base}${pathname}`, {
      method: init?.method ?? 'GET',
      headers: init?.body !== undefined ? { 'Content-Type': 'application/json', ...caller } : caller,
      body: init?.body === undefined ? undefined : JSON.stringify(Array.isArray(init.body) ? init.body : body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const gapsOf = async (subject: string): Promise<Gap[]> => (await api<Gap[]>(`/v1/patients/${subject}/gaps`)).body;
  const openGap = (subject: string, gapType: string): Promise<Gap> =>
    eventually(async () => (await gapsOf(subject)).find((gap) => gap.gapType === gapType && gap.status !== 'closed' && gap.status !== 'dismissed'));
  /** Resolves once the service committed its handling of the event (its inbox row). */
  const processed = (event: EventEnvelope): Promise<true> =>
    eventually(async () => ((await db.query('SELECT 1 FROM inbox WHERE event_id = $1', [event.id])).rowCount === 1 ? true : undefined));

  const discharge = (mrn: string, codes: string[], options: { disposition?: string; deceased?: boolean; planId?: string | null } = {}) => {
    const event = encounterEvent('encounter.discharged', { mrn, visit: `V-${mrn}`, disposition: options.disposition ?? '01', deceased: options.deceased });
    event.data.diagnoses = codes.map((code) => ({ code, codingSystem: 'I10', type: 'F' }));
    event.data.coverage = [{ planId: options.planId === undefined ? PLAN : options.planId, memberId: 'M1' }];
    return event;
  };
  const pharmacyEvent = <T extends EventType>(type: T, subject: string, data: EventPayloads[T]) =>
    createEnvelope(type, data, { source: 'pharmacy-alert', subject, occurredAt: new Date().toISOString(), correlationId: `enc:LGH:V-${subject}` });
  const contextEvent = <T extends EventType>(type: T, subject: string, data: EventPayloads[T]) =>
    createEnvelope(type, data, { source: 'clinical-context', subject, occurredAt: new Date().toISOString(), correlationId: `ctx:${subject}` });
  const publishTo = (key: 'encounters' | 'pharmacy' | 'clinicalContext', ...events: EventEnvelope[]) => publish(kafka, system.topics.of(key), ...events);

  beforeAll(async () => {
    system = await SystemUnderTest.start({ services: ['care-gap'] });
    kafka = createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-test` });
    recorder = new TopicRecorder(
      kafka,
      [system.topics.of('careGaps'), system.topics.of('notificationRequests'), system.topics.deadLetterOf('clinicalContext')],
      `${system.runId}.recorder`,
    );
    await recorder.start();
    base = system.service('care-gap').url('');
    db = new Client({ connectionString: databaseUrl(system.runId, 'care-gap') });
    await db.connect();
    const benefits = await api<{ accepted: number; rejected: number; rowErrors: Array<{ row: number; errors: string[] }> }>('/v1/context/benefits', {
      method: 'POST',
      body: {
        rows: [
          { planId: PLAN, itemSystem: 'HCPCS', itemCode: 'A4670', coverage: 'covered', quantityLimit: { quantity: 1, periodDays: 1825 }, benefitRuleId: 'NSHP-GOLD/DME-A4670' },
          { planId: PLAN, itemSystem: 'HCPCS', itemCode: 'E0607', coverage: 'prior-authorization', benefitRuleId: 'NSHP-GOLD/DME-E0607' },
          { planId: PLAN, itemSystem: 'HCPCS', itemCode: 'E0445', coverage: 'not-covered', benefitRuleId: 'NSHP-GOLD/DME-EXCL-E0445' },
          { planId: PLAN, itemSystem: 'HCPCS', itemCode: 'BP-MONITOR', coverage: 'covered', benefitRuleId: 'x' },
        ],
      },
    });
    expect(benefits.body).toMatchObject({ accepted: 3, rejected: 1, rowErrors: [{ row: 4, errors: [expect.stringContaining('itemCode')] }] });
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await recorder?.stop();
    await system?.stop();
  }, 60_000);

  describe('rules', () => {
    it('opens one covered home blood-pressure monitor gap for coronary disease, explains it, and notifies the nurses once', async () => {
      const first = discharge('CAD', ['I25.10']);
      const resent = discharge('CAD', ['I25.10']);
      await publishTo('encounters', first, first, resent);
      const gap = await openGap('pt-CAD', 'home-bp-monitor');
      expect(gap).toMatchObject({
        status: 'open',
        severity: 'moderate',
        item: { system: 'HCPCS', code: 'A4670' },
        teamId: DEFAULT_TEAM,
        coverage: { determination: 'covered', benefitRule: 'NSHP-GOLD/DME-A4670', planId: PLAN, quantityLimit: { quantity: 1, periodDays: 1825 } },
        explanation: { ruleId: 'bp-monitor-cardiovascular', ruleVersion: 1, matchedCodes: ['I25.10'], evidence: 'suspected', trigger: 'conditions' },
      });

      const notification = await recorder.waitFor('notification.requested', (event) => event.data.itemId === gap.id);
      expect(notification.data).toMatchObject({ notificationId: `care-gap-opened-${gap.id}`, teamId: DEFAULT_TEAM, link: `/v1/gaps/${gap.id}`, itemType: 'care-gap' });
      expect(notification.data.title).not.toMatch(DISCLOSING_TITLE);
      const opened = await recorder.waitFor('care-gap.opened', (event) => event.data.gapId === gap.id);
      expect(opened.subject).toBe('pt-CAD');

      await processed(resent);
      expect((await gapsOf('pt-CAD')).filter((candidate) => candidate.gapType === 'home-bp-monitor')).toHaveLength(1);
      expect(recorder.of('care-gap.opened', (event) => event.subject === 'pt-CAD')).toHaveLength(1);
      expect(recorder.of('notification.requested', (event) => event.data.itemId === gap.id)).toHaveLength(1);
      // The resend changed nothing, so it announced no update (the outbox row would be in the resend's transaction).
      const updates = await db.query(`SELECT 1 FROM outbox WHERE event_type = 'care-gap.updated' AND message_key = 'pt-CAD'`);
      expect(updates.rowCount).toBe(0);
    }, 60_000);

    it('handles a run of several patients\' discharges, one patient twice and one event redelivered, as it would one at a time', async () => {
      const once = ['RUN-A', 'RUN-B', 'RUN-C', 'RUN-D'].map((mrn) => discharge(mrn, ['I25.10']));
      const twice = [discharge('RUN-TWICE', ['I25.10']), discharge('RUN-TWICE', ['I50.22'])];
      await publishTo('encounters', ...once, twice[0], once[0], twice[1]);
      for (const event of [...once, ...twice]) {
        await processed(event);
      }

      for (const event of once) {
        const gaps = await gapsOf(event.subject);
        expect(gaps.map((gap) => [gap.gapType, gap.status, gap.explanation.matchedCodes])).toEqual([['home-bp-monitor', 'open', ['I25.10']]]);
        const { history } = (await api<Gap>(`/v1/gaps/${gaps[0].id}`)).body;
        expect(history).toEqual([expect.objectContaining({ from: null, to: 'open', reason: 'opened by conditions' })]);
      }
      expect((await gapsOf('pt-RUN-TWICE')).map((gap) => gap.gapType).sort()).toEqual(['home-bp-monitor', 'home-scale']);
      const subjects = [...once, ...twice].map((event) => event.subject);
      await eventually(async () => (recorder.of('care-gap.opened', (event) => subjects.includes(event.subject)).length >= 6 ? true : undefined));
      const opened = recorder.of('care-gap.opened', (event) => subjects.includes(event.subject)).map((event) => `${event.subject} ${(event.data as { gapType: string }).gapType}`);
      expect(opened.sort()).toEqual([...once.map((event) => `${event.subject} home-bp-monitor`), 'pt-RUN-TWICE home-bp-monitor', 'pt-RUN-TWICE home-scale'].sort());
    }, 60_000);

    it('writes nothing for the discharge of a patient no participating program serves, and all of it for their next, covered one', async () => {
      const uncovered = discharge('NOBODY', ['I25.10'], { planId: null });
      const covered = discharge('NOBODY', ['I50.22']);
      // One patient, one partition: the covered discharge is handled after the uncovered one was decided.
      await publishTo('encounters', uncovered, covered);
      await processed(covered);
      const stored = await db.query(
        `SELECT (SELECT count(*)::int FROM inbox WHERE event_id = $1) AS inbox,
                (SELECT array_agg(code ORDER BY code) FROM patient_conditions WHERE subject = 'pt-NOBODY') AS conditions`,
        [uncovered.id],
      );
      expect(stored.rows[0]).toEqual({ inbox: 0, conditions: ['I50.22'] });
      const monitor = await openGap('pt-NOBODY', 'home-bp-monitor');
      expect(monitor.explanation.matchedCodes).toEqual(['I50.22']);
      await openGap('pt-NOBODY', 'home-scale');
      await recorder.waitFor('care-gap.opened', (event) => event.data.gapId === monitor.id);
      await recorder.waitFor('notification.requested', (event) => event.data.itemId === monitor.id);
    }, 60_000);

    it('opens a monitor and a scale for heart failure, with coverage unknown where the plan lists no benefit', async () => {
      await publishTo('encounters', discharge('HF', ['I50.22']));
      const scale = await openGap('pt-HF', 'home-scale');
      expect(scale).toMatchObject({ severity: 'high', item: { code: 'E1639' }, coverage: { determination: 'unknown', benefitRule: null } });
      expect((await openGap('pt-HF', 'home-bp-monitor')).explanation.matchedCodes).toEqual(['I50.22']);
    }, 30_000);

    it('opens a glucose meter gap needing prior authorization for diabetes and a not-covered pulse oximeter gap for COPD', async () => {
      await publishTo('encounters', discharge('DM', ['E11.65']), discharge('COPD', ['J44.1']));
      expect(await openGap('pt-DM', 'home-glucose-meter')).toMatchObject({
        item: { code: 'E0607' },
        coverage: { determination: 'prior-authorization', priorAuthorizationRequired: true, benefitRule: 'NSHP-GOLD/DME-E0607' },
      });
      expect(await openGap('pt-COPD', 'home-pulse-oximeter')).toMatchObject({ item: { code: 'E0445' }, coverage: { determination: 'not-covered' } });
    }, 30_000);

    it('opens a high-severity monitor gap and a postpartum follow-up for hypertension in pregnancy', async () => {
      await publishTo('encounters', discharge('PREE', ['O14.15', 'I10']));
      expect(await openGap('pt-PREE', 'home-bp-monitor')).toMatchObject({ severity: 'high', explanation: { ruleId: 'bp-monitor-hypertensive-pregnancy', matchedCodes: ['O14.15'] } });
      const followUp = await openGap('pt-PREE', 'postpartum-bp-follow-up');
      expect(followUp.item).toMatchObject({ system: 'PROGRAM', code: 'postpartum-bp-visit' });
      const notification = await recorder.waitFor('notification.requested', (event) => event.data.itemId === followUp.id);
      expect(notification.data.title).not.toMatch(DISCLOSING_TITLE);
    }, 30_000);

    it('opens a team gap when the medication reconciliation deadline is breached, and closes it when the task is done', async () => {
      const subject = 'pt-MEDREC';
      await publishTo(
        'pharmacy',
        pharmacyEvent('pharmacy.task-created', subject, {
          taskId: 'task-medrec',
          kind: 'discharge-call',
          patientId: 'SP-1',
          dueAt: new Date().toISOString(),
          priority: 'high',
          assigneeId: 'pharm-ana',
          teamId: 'team-pharm-1',
          overdueOnArrival: false,
        }),
        pharmacyEvent('pharmacy.task-escalated', subject, { taskId: 'task-medrec', patientId: 'SP-1', kind: 'discharge-call', actorId: 'system', step: 'team-lead', dueAt: new Date().toISOString() }),
        pharmacyEvent('pharmacy.task-escalated', subject, { taskId: 'task-medrec', patientId: 'SP-1', kind: 'discharge-call', actorId: 'system', step: 'breach', dueAt: new Date().toISOString() }),
      );
      const gap = await openGap(subject, 'medication-reconciliation-overdue');
      expect(gap).toMatchObject({ teamId: 'team-pharm-1', severity: 'high', item: { system: 'TASK' }, explanation: { trigger: 'medication-reconciliation-breach' } });
      expect((await recorder.waitFor('notification.requested', (event) => event.data.itemId === gap.id)).data).toMatchObject({ teamId: 'team-pharm-1', urgency: 'urgent' });

      await publishTo(
        'pharmacy',
        pharmacyEvent('pharmacy.task-completed', subject, {
          taskId: 'task-medrec',
          patientId: 'SP-1',
          kind: 'discharge-call',
          actorId: 'pharm-ana',
          outcome: 'reconciled',
          completedAt: new Date().toISOString(),
          withinWindow: false,
        }),
      );
      const closed = await recorder.waitFor('care-gap.closed', (event) => event.data.gapId === gap.id);
      expect(closed.data).toMatchObject({ status: 'closed', reason: 'pharmacy task completed: reconciled' });
    }, 30_000);
  });

  describe('triggers', () => {
    it('confirms the gap when the pharmacist flags the missing monitor, and opens it from the flag alone', async () => {
      await publishTo('encounters', discharge('FLAG', ['I10']));
      const suspected = await openGap('pt-FLAG', 'home-bp-monitor');
      expect(suspected.explanation.evidence).toBe('suspected');
      const flag = (subject: string) =>
        pharmacyEvent('pharmacy.need-flagged', subject, {
          taskId: `task-${subject}`,
          patientId: 'SP-2',
          kind: 'discharge-call',
          actorId: 'pharm-ana',
          flagId: `flag-${subject}`,
          need: 'missing-home-device',
          code: 'A4670',
          codeSystem: 'HCPCS',
        });
      await publishTo('pharmacy', flag('pt-FLAG'), flag('pt-NOCOND'));
      const updated = await recorder.waitFor('care-gap.updated', (event) => event.data.gapId === suspected.id);
      expect(updated.data.explanation).toMatchObject({ evidence: 'confirmed', matchedCodes: ['I10'] });

      expect(await openGap('pt-NOCOND', 'home-bp-monitor')).toMatchObject({ explanation: { evidence: 'confirmed', trigger: 'pharmacist-flag', matchedCodes: [] } });
    }, 30_000);

    it('closes the gap when the context feed reports the device at home, and evaluates a new condition from the feed', async () => {
      await publishTo('encounters', discharge('DEV', ['I10']));
      const gap = await openGap('pt-DEV', 'home-bp-monitor');
      await publishTo(
        'clinicalContext',
        contextEvent('context.devices-changed', 'pt-DEV', { devices: [{ code: 'A4670', system: 'HCPCS', status: 'present' }] }),
        contextEvent('context.conditions-changed', 'pt-DEV', { conditions: [{ code: 'E11.9', codingSystem: 'ICD10', status: 'active' }] }),
      );
      const closed = await recorder.waitFor('care-gap.closed', (event) => event.data.gapId === gap.id);
      expect(closed.data).toMatchObject({ status: 'closed', reason: 'item present at home', actorId: 'system' });
      expect((await openGap('pt-DEV', 'home-glucose-meter')).explanation.matchedCodes).toEqual(['E11.9']);
    }, 30_000);

    it('re-decides coverage of open gaps when the plan’s benefits change on the feed', async () => {
      await publishTo('encounters', discharge('BEN', ['J44.9'], { planId: 'PLAN-B' }));
      const gap = await openGap('pt-BEN', 'home-pulse-oximeter');
      expect(gap.coverage.determination).toBe('unknown');
      await publishTo(
        'clinicalContext',
        contextEvent('context.benefits-changed', 'plan:PLAN-B', {
          planId: 'PLAN-B',
          benefits: [{ itemSystem: 'HCPCS', itemCode: 'E0445', coverage: 'covered', quantityLimit: null, benefitRuleId: 'PLAN-B/DME-E0445' }],
        }),
      );
      const updated = await recorder.waitFor('care-gap.updated', (event) => event.data.gapId === gap.id);
      expect(updated.data.coverage).toMatchObject({ determination: 'covered', benefitRule: 'PLAN-B/DME-E0445' });
    }, 30_000);

    it('loads conditions, devices and plan membership in bulk with a per-row report and evaluates each patient', async () => {
      const coverage = await api<{ accepted: number }>('/v1/context/coverage', { method: 'POST', body: { rows: [{ subject: 'pt-BULK', planId: PLAN }] } });
      expect(coverage.body.accepted).toBe(1);
      const conditions = await api<{ accepted: number; rejected: number; gapsOpened: number; rowErrors: Array<{ row: number; errors: string[] }> }>('/v1/context/conditions', {
        method: 'POST',
        body: {
          rows: [
            { subject: 'pt-BULK', code: 'I10', status: 'active' },
            { subject: 'pt-BULK', code: 'hypertension', status: 'active' },
            { subject: 'pt-BULK', code: 'J44.1', status: 'maybe' },
          ],
        },
      });
      expect(conditions.body).toMatchObject({ accepted: 1, rejected: 2, gapsOpened: 1 });
      expect(conditions.body.rowErrors.map((error) => error.row)).toEqual([2, 3]);
      expect(JSON.stringify(conditions.body.rowErrors)).not.toContain('hypertension');
      expect((await openGap('pt-BULK', 'home-bp-monitor')).coverage.determination).toBe('covered');

      const devices = await api<{ accepted: number; gapsClosed: number }>('/v1/context/devices', {
        method: 'POST',
        body: { rows: [{ subject: 'pt-BULK', system: 'HCPCS', code: 'A4670', status: 'present' }] },
      });
      expect(devices.body).toMatchObject({ accepted: 1, gapsClosed: 1 });
    }, 30_000);

    it('dead-letters a malformed context event without retrying it', async () => {
      const bad = contextEvent('context.conditions-changed', 'pt-BAD', { conditions: [{ code: 'not a code', codingSystem: 'ICD10', status: 'active' }] });
      await publishTo('clinicalContext', bad);
      await recorder.waitFor('context.conditions-changed', (event) => event.id === bad.id);
    }, 30_000);
  });

  describe('guards', () => {
    it('never reaches out on a substance-use code without consent, and does once consent is recorded', async () => {
      const rule = {
        id: 'recovery-support',
        version: 1,
        enabled: true,
        gapType: 'recovery-support',
        description: 'Substance use disorder: recovery support program',
        trigger: 'conditions',
        conditions: { system: 'ICD10', ranges: [{ from: 'F10', to: 'F19' }], prefixes: [] },
        item: { system: 'PROGRAM', code: 'recovery-support', display: 'Recovery support program' },
        homeItem: false,
        severity: 'moderate',
        recommendedAction: 'Offer the recovery support program',
        notificationTitle: 'Care gap: program referral to arrange',
      };
      expect((await api('/v1/rules/recovery-support', { method: 'PUT', body: { rule, actorId: 'dr-lee', reason: 'New program' } })).status).toBe(200);

      const event = discharge('SUD', ['F10.20', 'I10']);
      await publishTo('encounters', event);
      await processed(event);
      const gaps = await gapsOf('pt-SUD');
      expect(gaps.map((gap) => gap.gapType)).toEqual(['home-bp-monitor']);
      expect(gaps[0].explanation.matchedCodes).toEqual(['I10']);

      const dryRun = await api<{ patients: Array<{ subject: string; outcome: string; matchedCodes: string[] }> }>('/v1/rules/dry-run', { method: 'POST', body: { ruleId: 'recovery-support' } });
      expect(dryRun.body.patients).toEqual([{ subject: 'pt-SUD', outcome: 'sensitive-without-consent', matchedCodes: [], coverage: 'unknown' }]);

      const wrongCategory = await api('/v1/patients/pt-SUD/consents/mental-health', { method: 'PUT', body: { granted: true, actorId: 'nurse-rosa', reason: 'Consent form signed' } });
      expect(wrongCategory.status).toBe(200);
      expect((await gapsOf('pt-SUD')).map((gap) => gap.gapType)).toEqual(['home-bp-monitor']);

      const consents = await api<Array<{ category: string; granted: boolean }>>('/v1/patients/pt-SUD/consents/substance-use', {
        method: 'PUT',
        body: { granted: true, actorId: 'nurse-rosa', reason: '42 CFR Part 2 consent signed' },
      });
      expect(consents.body).toEqual(expect.arrayContaining([expect.objectContaining({ category: 'substance-use', granted: true })]));
      const gap = await openGap('pt-SUD', 'recovery-support');
      expect(gap.explanation.matchedCodes).toEqual(['F10.20']);
      const notification = await recorder.waitFor('notification.requested', (candidate) => candidate.data.itemId === gap.id);
      expect(notification.data.title).not.toMatch(DISCLOSING_TITLE);

      const disclosures = recorder.events.filter((candidate) => candidate.subject === 'pt-SUD' && candidate.type !== 'care-gap.opened' && candidate.type !== 'care-gap.updated');
      expect(JSON.stringify(disclosures)).not.toMatch(/F10/);
    }, 30_000);

    it('keeps a mental-health code out of gaps, events and notifications without consent', async () => {
      const event = discharge('MH', ['F32.9', 'I11.9']);
      await publishTo('encounters', event);
      const gap = await openGap('pt-MH', 'home-bp-monitor');
      expect(gap.explanation.matchedCodes).toEqual(['I11.9']);
      await recorder.waitFor('notification.requested', (candidate) => candidate.data.itemId === gap.id);
      expect(JSON.stringify(recorder.events.filter((candidate) => candidate.subject === 'pt-MH'))).not.toMatch(/F32/);
    }, 30_000);

    it('opens no home-device gap for a patient who died or went to a skilled nursing facility', async () => {
      const died = discharge('DIED', ['I50.22'], { disposition: '20' });
      const deathIndicator = discharge('DEATHFLAG', ['I10'], { disposition: '01', deceased: true });
      const snf = discharge('SNF', ['I50.22', 'O14.15'], { disposition: '03' });
      await publishTo('encounters', died, deathIndicator, snf);
      await Promise.all([processed(died), processed(deathIndicator), processed(snf)]);
      expect(await gapsOf('pt-DIED')).toEqual([]);
      expect(await gapsOf('pt-DEATHFLAG')).toEqual([]);
      expect((await gapsOf('pt-SNF')).map((gap) => gap.gapType)).toEqual(['postpartum-bp-follow-up']);
    }, 30_000);

    it('closes every open gap when the pharmacy reports the patient expired', async () => {
      await publishTo('encounters', discharge('EXP', ['I50.22']));
      await openGap('pt-EXP', 'home-scale');
      await openGap('pt-EXP', 'home-bp-monitor');
      await publishTo('pharmacy', pharmacyEvent('pharmacy.patient-expired', 'pt-EXP', { patientId: 'SP-EXP', closedTaskIds: [] }));
      await eventually(async () => {
        const gaps = await gapsOf('pt-EXP');
        return gaps.length === 2 && gaps.every((gap) => gap.status === 'closed' && gap.closeReason === 'patient expired') ? true : undefined;
      });
    }, 30_000);
  });

  describe('nurse API', () => {
    it('moves a gap from open to closed step by step, each with actor and reason, and refuses a skipped step', async () => {
      await publishTo('encounters', discharge('LIFE', ['I10']));
      const gap = await openGap('pt-LIFE', 'home-bp-monitor');
      const step = (to: string, reason = `moved to ${to}`) => api<Gap & { code?: string }>(`/v1/gaps/${gap.id}/transitions`, { method: 'POST', body: { to, actorId: 'nurse-rosa', reason } });

      expect(await step('ordered')).toMatchObject({ status: 409, body: { code: 'INVALID_TRANSITION' } });
      for (const to of ['coverage-verified', 'ordered', 'delivered', 'closed']) {
        expect((await step(to)).body.status).toBe(to);
      }
      const final = (await api<Gap>(`/v1/gaps/${gap.id}`)).body;
      expect(final.history?.map((entry) => [entry.from, entry.to, entry.actorId])).toEqual([
        [null, 'open', 'system'],
        ['open', 'coverage-verified', 'nurse-rosa'],
        ['coverage-verified', 'ordered', 'nurse-rosa'],
        ['ordered', 'delivered', 'nurse-rosa'],
        ['delivered', 'closed', 'nurse-rosa'],
      ]);
      expect(await step('dismissed')).toMatchObject({ status: 409 });
      expect((await recorder.waitFor('care-gap.closed', (event) => event.data.gapId === gap.id)).data).toMatchObject({ actorId: 'nurse-rosa', reason: 'moved to closed' });
      expect(recorder.of('care-gap.updated', (event) => event.data.gapId === gap.id).map((event) => [event.data.status, event.data.actorId])).toEqual([
        ['coverage-verified', 'nurse-rosa'],
        ['ordered', 'nurse-rosa'],
        ['delivered', 'nurse-rosa'],
      ]);

      // Delivered means the monitor is at home: the next discharge does not ask for it again.
      const again = discharge('LIFE', ['I10']);
      await publishTo('encounters', again);
      await processed(again);
      expect((await gapsOf('pt-LIFE')).map((candidate) => candidate.status)).toEqual(['closed']);
    }, 30_000);

    it('lists gaps by patient, team and status, and documents every route in OpenAPI', async () => {
      const open = (await api<Gap[]>(`/v1/gaps?teamId=${DEFAULT_TEAM}&openOnly=true&limit=1000`)).body;
      expect(open.length).toBeGreaterThan(0);
      expect(open.every((gap) => gap.teamId === DEFAULT_TEAM && gap.status !== 'closed' && gap.status !== 'dismissed')).toBe(true);
      const paths = Object.keys((await api<{ paths: Record<string, unknown> }>('/docs-json')).body.paths);
      expect(paths).toEqual(
        expect.arrayContaining([
          '/v1/gaps',
          '/v1/gaps/{id}',
          '/v1/gaps/{id}/transitions',
          '/v1/patients/{subject}/gaps',
          '/v1/teams/{teamId}/gaps',
          '/v1/context/conditions',
          '/v1/context/devices',
          '/v1/context/coverage',
          '/v1/context/benefits',
          '/v1/patients/{subject}/consents/{category}',
          '/v1/rules',
          '/v1/rules/{ruleId}',
          '/v1/rules/{ruleId}/versions',
          '/v1/rules/dry-run',
        ]),
      );
    }, 30_000);

    it('dismisses a gap with a reason and lists gaps by team', async () => {
      await publishTo('encounters', discharge('DISM', ['E10.9']));
      const gap = await openGap('pt-DISM', 'home-glucose-meter');
      const teamGaps = (await api<Gap[]>(`/v1/teams/${DEFAULT_TEAM}/gaps`)).body;
      expect(teamGaps.map((candidate) => candidate.id)).toContain(gap.id);
      const dismissed = await api<Gap>(`/v1/gaps/${gap.id}/transitions`, { method: 'POST', body: { to: 'dismissed', actorId: 'nurse-rosa', reason: 'Patient already has a meter from a prior admission' } });
      expect(dismissed.body).toMatchObject({ status: 'dismissed', closeReason: 'Patient already has a meter from a prior admission' });
      expect((await api<Gap[]>(`/v1/teams/${DEFAULT_TEAM}/gaps`)).body.map((candidate) => candidate.id)).not.toContain(gap.id);
      expect((await api(`/v1/gaps/${gap.id}/transitions`, { method: 'POST', body: { to: 'dismissed', actorId: 'nurse-rosa' } })).status).toBe(400);
    }, 30_000);
  });

  describe('rules as versioned data', () => {
    it('keeps every rule version with who changed it and why, and refuses a stale version or an invalid rule', async () => {
      const [current] = (await api<Array<{ version: number; definition: Record<string, unknown> }>>('/v1/rules/glucose-meter-diabetes/versions')).body;
      expect(current).toMatchObject({ version: 1, actorId: 'rules-file' });
      const changed = { ...current.definition, version: 2, severity: 'high' };
      const saved = await api<{ version: number; actorId: string; reason: string }>('/v1/rules/glucose-meter-diabetes', {
        method: 'PUT',
        body: { rule: changed, actorId: 'dr-lee', reason: 'Insulin starts are high risk' },
      });
      expect(saved).toMatchObject({ status: 200, body: { version: 2, actorId: 'dr-lee', reason: 'Insulin starts are high risk' } });
      expect(await api('/v1/rules/glucose-meter-diabetes', { method: 'PUT', body: { rule: changed, actorId: 'dr-kim', reason: 'same change again' } })).toMatchObject({
        status: 409,
        body: { code: 'RULE_VERSION_CONFLICT' },
      });
      const invalid = await api<{ code: string; message: string }>('/v1/rules/glucose-meter-diabetes', {
        method: 'PUT',
        body: { rule: { ...changed, version: 3, notificationTitle: 'Diabetic patient needs a meter' }, actorId: 'dr-lee', reason: 'title' },
      });
      expect(invalid).toMatchObject({ status: 400, body: { code: 'INVALID_RULE' } });
      expect(invalid.body.message).toContain('notificationTitle');
      expect((await api<Array<{ version: number }>>('/v1/rules/glucose-meter-diabetes/versions')).body.map((version) => version.version)).toEqual([2, 1]);

      await publishTo('encounters', discharge('DM2', ['E13.9']));
      expect((await openGap('pt-DM2', 'home-glucose-meter')).explanation).toMatchObject({ ruleId: 'glucose-meter-diabetes', ruleVersion: 2 });
    }, 30_000);

    it('shows which stored patients a stored or proposed rule would flag, without changing anything', async () => {
      await publishTo('encounters', discharge('DRY', ['I50.9'], { disposition: '03' }));
      await eventually(async () => ((await db.query("SELECT 1 FROM patients WHERE subject = 'pt-DRY' AND at_facility")).rowCount === 1 ? true : undefined));
      const stored = await api<{ flagged: number; patients: Array<{ subject: string; outcome: string }> }>('/v1/rules/dry-run', { method: 'POST', body: { ruleId: 'scale-heart-failure' } });
      expect(stored.body.patients).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'pt-HF', outcome: 'already-open' }), expect.objectContaining({ subject: 'pt-DRY', outcome: 'at-facility' })]));

      const rules = (await api<Array<{ ruleId: string; definition: Record<string, unknown> }>>('/v1/rules')).body;
      const copd = rules.find((rule) => rule.ruleId === 'pulse-oximeter-copd')?.definition;
      const proposed = { ...copd, id: 'pulse-oximeter-respiratory', conditions: { system: 'ICD10', ranges: [{ from: 'J43', to: 'J44' }], prefixes: ['I50'] } };
      const before = (await db.query('SELECT count(*)::int AS n FROM care_gaps')).rows[0] as { n: number };
      const dry = await api<{ ruleId: string; flagged: number; patients: Array<{ subject: string; outcome: string; matchedCodes: string[] }> }>('/v1/rules/dry-run', {
        method: 'POST',
        body: { rule: proposed },
      });
      expect(dry.body.ruleId).toBe('pulse-oximeter-respiratory');
      expect(dry.body.patients).toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'pt-HF', outcome: 'would-open', matchedCodes: ['I50.22'] })]));
      expect(dry.body.patients.find((patient) => patient.subject === 'pt-CAD')).toBeUndefined();
      expect((await db.query('SELECT count(*)::int AS n FROM care_gaps')).rows[0]).toEqual(before);
      expect((await api('/v1/rules/pulse-oximeter-respiratory/versions')).status).toBe(404);
    }, 30_000);

    it('refuses to start on an invalid rule file and names the rule', () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'care-gap-rules-'));
      const file = path.join(dir, 'rules.json');
      const shipped = JSON.parse(readFileSync(path.join(repoRoot(), 'apps', 'care-gap', 'rules', 'care-gap-rules.json'), 'utf8')) as { rules: Array<Record<string, unknown>> };
      shipped.rules[2] = { ...shipped.rules[2], item: { system: 'HCPCS', code: 'GLUCOMETER', display: 'meter' } };
      writeFileSync(file, JSON.stringify(shipped));
      const result = spawnSync(process.execPath, [path.join(repoRoot(), 'dist', 'apps', 'care-gap', 'src', 'main.js')], {
        env: { PATH: process.env.PATH, CARE_GAP_RULES_FILE: file, HTTP_PORT: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('rule "glucose-meter-diabetes"');
      expect(result.stderr).toContain('HCPCS Level II');
    });
  });
});
