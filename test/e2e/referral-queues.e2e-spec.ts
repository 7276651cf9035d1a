import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createEnvelope, type CareGapData, type EventEnvelope, type NeedKind, type PharmacyNeedFlaggedData } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { SystemUnderTest, databaseUrl, eventually, kafkaBrokers } from '@sc/testing';
import { encounterEvent, type EncounterOptions } from './support/encounter-events';
import { TopicRecorder, publish } from './support/topic-recorder';

interface History {
  action: string;
  fromStatus: string | null;
  toStatus: string;
  actorId: string;
  claimedBy: string | null;
  reason: string;
}

interface Referral {
  id: string;
  type: string;
  status: string;
  queueId: string;
  teamId: string;
  priority: string;
  dueAt: string;
  correlationId: string;
  source: { kind: string; id: string };
  item: { system: string; code: string } | null;
  claimedBy: string | null;
  leaseExpiresAt: string | null;
  statusReason: string | null;
  escalatedAt: string | null;
  breachedAt: string | null;
  history?: History[];
}

interface Briefing {
  state: string;
  referralStatus: string;
  specialistId: string | null;
  acknowledgedAt: string | null;
  packet: {
    assembledAt: string;
    reasonForBriefing: { system: string; code: string } | null;
    medications: { homeMedications: Array<{ code: string }>; startedInHospital: Array<{ code: string }>; discrepancies: Array<{ kind: string }> } | null;
    conditions: Array<{ code: string; episodes: number }>;
    withheldConditions: number;
    recentEncounters: Array<{ episodeId: string }>;
    pharmacistFollowUps: Array<{ outcome: string }>;
  };
}

interface QueueStats {
  queueId: string;
  waiting: number;
  overdue: number;
  breachedOpen: number;
  breachesLast24h: number;
  oldestWaitingSeconds: number | null;
}

const HOUR = 3_600_000;
/** Long enough that no claim in these tests lapses by accident, short enough to watch one lapse. */
const LEASE_SECONDS = 8;

/** Events other services would publish about one patient (`pt-<mrn>`) and one episode (`enc:<facility>:<visit>`). */
class PatientEvents {
  constructor(
    readonly mrn: string,
    readonly facility = 'LGH',
  ) {}

  get subject(): string {
    return `pt-${this.mrn}`;
  }

  episode(visit: string): string {
    return `enc:${this.facility}:${visit}`;
  }

  encounter<T extends Parameters<typeof encounterEvent>[0]>(type: T, visit: string, options: Partial<EncounterOptions> & { diagnoses?: string[]; language?: string } = {}) {
    const event = encounterEvent(type, { mrn: this.mrn, visit, ...options });
    event.correlationId = this.episode(visit);
    if (options.diagnoses) {
      event.data.diagnoses = options.diagnoses.map((code) => ({ code, codingSystem: 'I10', type: 'F' }));
    }
    event.data.patient.primaryLanguage = options.language ?? null;
    return event;
  }

  gap(type: 'care-gap.opened' | 'care-gap.updated', visit: string, gap: Partial<CareGapData> & { gapId: string }): EventEnvelope<'care-gap.opened' | 'care-gap.updated'> {
    const data: CareGapData = {
      gapType: 'home-bp-monitor',
      ruleId: 'bp-monitor-cardiovascular',
      ruleVersion: 1,
      severity: 'moderate',
      item: { system: 'HCPCS', code: 'A4670' },
      recommendedAction: 'Order a validated automatic upper-arm monitor',
      coverage: { determination: 'covered', benefitRule: 'NSHP-GOLD/DME-A4670', planId: 'NSHP-GOLD', priorAuthorizationRequired: false, quantityLimit: null },
      status: 'open',
      teamId: null,
      explanation: { ruleId: 'bp-monitor-cardiovascular', ruleVersion: 1, matchedCodes: ['I25.10'], evidence: 'confirmed', trigger: 'conditions' },
      actorId: 'system',
      ...gap,
    };
    return createEnvelope(type, data, this.context(visit));
  }

  need(visit: string, flagId: string, need: NeedKind, code: Pick<PharmacyNeedFlaggedData, 'code' | 'codeSystem'> = { code: null, codeSystem: null }) {
    return createEnvelope('pharmacy.need-flagged', { taskId: `task-${visit}`, patientId: `sp-${this.mrn}`, kind: 'discharge-call', actorId: 'pharm-ana', flagId, need, ...code }, this.context(visit));
  }

  reconciled(visit: string) {
    return createEnvelope(
      'pharmacy.medication-reconciled',
      {
        taskId: `task-${visit}`,
        patientId: `sp-${this.mrn}`,
        kind: 'discharge-call',
        actorId: 'pharm-ana',
        homeMedications: [{ system: 'RXNORM', code: '327361' }],
        startedInHospital: [{ system: 'RXNORM', code: '197361' }],
        stopped: [],
        changed: [],
        discrepancies: [{ medication: { system: 'RXNORM', code: '197361' }, kind: 'interaction' }],
        reconciledAt: new Date(Date.now() - HOUR).toISOString(),
      },
      this.context(visit),
    );
  }

  followUpCompleted(visit: string) {
    return createEnvelope(
      'pharmacy.task-completed',
      { taskId: `task-${visit}`, patientId: `sp-${this.mrn}`, kind: 'discharge-call', actorId: 'pharm-ana', outcome: 'reconciled', completedAt: new Date().toISOString(), withinWindow: true },
      this.context(visit),
    );
  }

  expired(visit: string) {
    return createEnvelope('pharmacy.patient-expired', { patientId: `sp-${this.mrn}`, closedTaskIds: [] }, { ...this.context(visit), source: 'pharmacy-alert' });
  }

  private context(visit: string) {
    return { source: 'test', subject: this.subject, correlationId: this.episode(visit), occurredAt: new Date().toISOString() };
  }
}

describe('referral: nurse queues', () => {
  let system: SystemUnderTest;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  let base: string;
  let topics: { encounters: string; pharmacy: string; careGaps: string };

  // The caller is the bearer token's subject: a body's `actorId` (or, when taking the next
  // referral, `nurseId`) names who calls and is not sent.
  const api = async <T>(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }> => {
    const { actorId, ...rest } = (init?.body ?? {}) as { actorId?: string; nurseId?: string };
    const takesNext = path === '/v1/queues/claims';
    const { nurseId, ...withoutNurse } = rest;
    const caller = (takesNext ? nurseId : actorId) ?? 'sup-kim';
    const body = takesNext ? withoutNurse : rest;
    const headers = system.authorization(caller, ['nurse', 'team-lead', 'supervisor', 'integration', 'admin']);
    const response = await fetch(`${base}${path}`, {
      method: init?.method ?? 'GET',
      headers: init?.body !== undefined ? { 'Content-Type': 'application/json', ...headers } : headers,
      body: init?.body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };
  const post = <T = Referral>(path: string, body: unknown) => api<T>(path, { method: 'POST', body });

  const referralsOf = async (episode: string): Promise<Referral[]> =>
    (await api<Referral[]>(`/v1/referrals?correlationId=${encodeURIComponent(episode)}&limit=1000`)).body;

  const referralFor = (episode: string, type: string, where: (referral: Referral) => boolean = () => true): Promise<Referral> =>
    eventually(async () => (await referralsOf(episode)).find((referral) => referral.type === type && where(referral)));

  const detail = async (id: string): Promise<Referral> => (await api<Referral>(`/v1/referrals/${id}`)).body;

  const nurse = (id: string, teamId: string, role: 'nurse' | 'supervisor', skills: string[], languages = ['en']) =>
    api(`/v1/nurses/${id}`, { method: 'PUT', body: { teamId, role, skills, languages } });

  const ALL_SKILLS = ['equipment', 'home-health', 'wellness', 'care-coordination', 'social-work', 'maternal-health'];

  beforeAll(async () => {
    system = await SystemUnderTest.start({
      services: ['referral'],
      env: { REFERRAL_TIMER_POLL_MS: '200', REFERRAL_LEASE_SECONDS: String(LEASE_SECONDS), REFERRAL_FACILITY_TEAMS: 'LGH=nursing-lgh' },
    });
    kafka = createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-test` });
    recorder = new TopicRecorder(kafka, [system.topics.of('referrals'), system.topics.of('notificationRequests')], `${system.runId}.recorder`);
    await recorder.start();
    base = system.service('referral').url('');
    topics = { encounters: system.topics.of('encounters'), pharmacy: system.topics.of('pharmacy'), careGaps: system.topics.of('careGaps') };
    await nurse('rn-ana', 'nursing-lgh', 'nurse', ALL_SKILLS);
    await nurse('rn-li', 'nursing-lgh', 'nurse', ALL_SKILLS, ['en', 'es']);
    await nurse('sup-kim', 'nursing-lgh', 'supervisor', []);
  }, 120_000);

  afterAll(async () => {
    await recorder?.stop();
    await system?.stop();
  }, 60_000);

  it('creates one referral per source from care gaps, pharmacist flags and the discharge, whatever is replayed', async () => {
    const patient = new PatientEvents('SRC');
    const dischargedAt = new Date(Date.now() - HOUR).toISOString();
    const discharge = patient.encounter('encounter.discharged', 'V-SRC', { dischargedAt, disposition: '06' });
    await publish(kafka, topics.encounters, discharge, discharge);
    const homeHealth = await referralFor(patient.episode('V-SRC'), 'in-home-nursing');
    expect(homeHealth).toMatchObject({ source: { kind: 'discharge-rule' }, queueId: 'nursing-lgh.home-health', teamId: 'nursing-lgh' });

    const dme = patient.gap('care-gap.opened', 'V-SRC', { gapId: 'gap-src-dme' });
    await publish(
      kafka,
      topics.careGaps,
      dme,
      dme,
      patient.gap('care-gap.updated', 'V-SRC', { gapId: 'gap-src-dme', status: 'coverage-verified' }),
      patient.gap('care-gap.opened', 'V-SRC', { gapId: 'gap-src-nc', item: { system: 'HCPCS', code: 'E0607' }, coverage: { ...dme.data.coverage, determination: 'not-covered' } }),
      patient.gap('care-gap.opened', 'V-SRC', {
        gapId: 'gap-src-pp',
        gapType: 'postpartum-bp-check',
        item: { system: 'TASK', code: 'postpartum-visit' },
        coverage: { ...dme.data.coverage, determination: 'unknown' },
      }),
    );
    const wellness = patient.need('V-SRC', 'flag-src-wellness', 'diet-or-wellness');
    await publish(
      kafka,
      topics.pharmacy,
      wellness,
      wellness,
      patient.need('V-SRC', 'flag-src-wellness', 'diet-or-wellness'),
      patient.need('V-SRC', 'flag-src-device', 'missing-home-device', { code: 'A4670', codeSystem: 'HCPCS' }),
      patient.need('V-SRC', 'flag-src-specialist', 'specialist-symptoms', { code: 'M06.9', codeSystem: 'ICD10' }),
      patient.need('V-SRC', 'flag-src-home', 'in-home-care'),
      patient.need('V-SRC', 'flag-src-social', 'social-needs', { code: 'FOOD', codeSystem: 'PROGRAM' }),
    );
    // The last event on each topic (same patient, same partition) is handled after the replays before it.
    await referralFor(patient.episode('V-SRC'), 'postpartum-follow-up');
    await referralFor(patient.episode('V-SRC'), 'social-needs');

    const all = await referralsOf(patient.episode('V-SRC'));
    expect(all.map((referral) => `${referral.type}<-${referral.source.kind}:${referral.source.id}`).sort()).toEqual([
      'dme-order<-care-gap:gap-src-dme',
      'in-home-nursing<-discharge-rule:enc:LGH:V-SRC',
      'in-home-nursing<-need-flag:flag-src-home',
      'postpartum-follow-up<-care-gap:gap-src-pp',
      'social-needs<-need-flag:flag-src-social',
      'specialist-briefing<-need-flag:flag-src-specialist',
      'wellness-program<-need-flag:flag-src-wellness',
    ]);
    const equipment = all.find((referral) => referral.type === 'dme-order');
    expect(equipment).toMatchObject({ status: 'new', queueId: 'nursing-lgh.equipment', priority: 'high', item: { system: 'HCPCS', code: 'A4670' } });
    expect(equipment?.dueAt).toBe(new Date(Date.parse(dischargedAt) + 24 * HOUR).toISOString());
    expect(all.find((referral) => referral.type === 'postpartum-follow-up')?.queueId).toBe('nursing-lgh.maternal-health');

    const created = await recorder.waitFor('referral.created', (event) => event.data.referralId === equipment?.id);
    expect(created.data).toMatchObject({ status: 'new', action: 'create', source: { kind: 'care-gap', id: 'gap-src-dme' }, item: { system: 'HCPCS', code: 'A4670' } });
    expect(created.causationId).toBe(dme.id);
    const notice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === equipment?.id);
    expect(notice.data).toMatchObject({ recipientId: null, teamId: 'nursing-lgh', title: 'New referral in the queue: home equipment order', link: `/v1/referrals/${equipment?.id}` });
    const postpartumNotice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === all.find((referral) => referral.type === 'postpartum-follow-up')?.id);
    expect(postpartumNotice.data.title).toBe('New referral in the queue: follow-up visit');
    await eventually(async () => (recorder.of('referral.created', (event) => event.correlationId === patient.episode('V-SRC')).length === 7 ? true : undefined));
  }, 60_000);

  it('writes nothing for the discharge of a patient no participating program serves, and all of it for their next, covered one', async () => {
    const patient = new PatientEvents('NOBODY');
    const uncovered = patient.encounter('encounter.discharged', 'V-NOBODY-1', { disposition: '06' });
    uncovered.data.coverage = [];
    const covered = patient.encounter('encounter.discharged', 'V-NOBODY-2', { disposition: '06' });
    // One patient, one partition: the covered discharge is handled after the uncovered one was decided.
    await publish(kafka, topics.encounters, uncovered, covered);
    const homeHealth = await referralFor(patient.episode('V-NOBODY-2'), 'in-home-nursing');
    expect(homeHealth).toMatchObject({ status: 'new', source: { kind: 'discharge-rule' }, queueId: 'nursing-lgh.home-health' });
    await recorder.waitFor('referral.created', (event) => event.data.referralId === homeHealth.id);
    await recorder.waitFor('notification.requested', (event) => event.data.itemId === homeHealth.id);

    const db = new Client({ connectionString: databaseUrl(system.runId, 'referral') });
    await db.connect();
    try {
      const rows = await db.query(
        `SELECT (SELECT count(*)::int FROM inbox WHERE event_id = $1) AS inbox, (SELECT count(*)::int FROM episodes WHERE correlation_id = $2) AS episodes,
                (SELECT count(*)::int FROM referrals WHERE correlation_id = $2) AS referrals`,
        [uncovered.id, patient.episode('V-NOBODY-1')],
      );
      expect(rows.rows[0]).toEqual({ inbox: 0, episodes: 0, referrals: 0 });
    } finally {
      await db.end();
    }
  }, 60_000);

  it('walks an equipment order through claim, start, order and completion, recording who did each step and why', async () => {
    const episode = new PatientEvents('SRC').episode('V-SRC');
    const equipment = await referralFor(episode, 'dme-order');
    const claimed = await post('/v1/queues/claims', { nurseId: 'rn-ana', queueId: 'nursing-lgh.equipment' });
    expect(claimed.status).toBe(200);
    expect(claimed.body).toMatchObject({ id: equipment.id, status: 'claimed', claimedBy: 'rn-ana' });
    const leaseLeft = Date.parse(claimed.body.leaseExpiresAt ?? '') - Date.now();
    expect(leaseLeft).toBeGreaterThan(0);
    expect(leaseLeft).toBeLessThanOrEqual(LEASE_SECONDS * 1000);

    expect((await post(`/v1/referrals/${equipment.id}/start`, { actorId: 'rn-ana' })).body.status).toBe('in-progress');
    const ordered = await post(`/v1/referrals/${equipment.id}/order`, { actorId: 'rn-ana', orderReference: 'SUP-2026-118', note: 'supplier confirmed by phone' });
    expect(ordered.body).toMatchObject({ status: 'ordered', leaseExpiresAt: null, claimedBy: 'rn-ana' });
    const completed = await post(`/v1/referrals/${equipment.id}/complete`, { actorId: 'rn-ana', reason: 'device-delivered' });
    expect(completed.body).toMatchObject({ status: 'completed', statusReason: 'device-delivered' });

    const { history } = await detail(equipment.id);
    expect(history?.map((entry) => [entry.action, entry.fromStatus, entry.toStatus, entry.actorId, entry.reason])).toEqual([
      ['create', null, 'new', 'system', 'source-care-gap'],
      ['claim', 'new', 'claimed', 'rn-ana', 'claimed-from-queue'],
      ['start', 'claimed', 'in-progress', 'rn-ana', 'work-started'],
      ['order', 'in-progress', 'ordered', 'rn-ana', 'ordered'],
      ['complete', 'ordered', 'completed', 'rn-ana', 'device-delivered'],
    ]);
    const changes = await eventually(async () => {
      const events = recorder.of('referral.status-changed', (event) => event.data.referralId === equipment.id);
      return events.length === 4 ? events : undefined;
    });
    expect(changes.map((event) => event.data.action)).toEqual(['claim', 'start', 'order', 'complete']);
    expect(JSON.stringify(changes)).not.toContain('supplier confirmed');
  }, 30_000);

  it('refuses steps the state machine does not allow with 409 and a code, and lets a supervisor hand work over', async () => {
    const episode = new PatientEvents('SRC').episode('V-SRC');
    const wellness = await referralFor(episode, 'wellness-program');
    const equipment = await referralFor(episode, 'dme-order');
    const conflict = async (path: string, body: unknown) => {
      const response = await post<{ code: string }>(path, body);
      return [response.status, response.body.code];
    };

    expect((await post(`/v1/referrals/${wellness.id}/claim`, { actorId: 'rn-ana' })).body.claimedBy).toBe('rn-ana');
    expect(await conflict(`/v1/referrals/${wellness.id}/claim`, { actorId: 'rn-li' })).toEqual([409, 'ALREADY_CLAIMED']);
    expect(await conflict(`/v1/referrals/${wellness.id}/start`, { actorId: 'rn-li' })).toEqual([409, 'NOT_CLAIMANT']);
    expect(await conflict(`/v1/referrals/${wellness.id}/complete`, { actorId: 'rn-ana', reason: 'enrolled' })).toEqual([409, 'INVALID_TRANSITION']);
    expect(await conflict(`/v1/referrals/${wellness.id}/order`, { actorId: 'rn-ana' })).toEqual([409, 'STEP_NOT_FOR_TYPE']);
    expect(await conflict(`/v1/referrals/${wellness.id}/briefing/send`, { actorId: 'rn-ana', specialistId: 'dr-x' })).toEqual([409, 'NOT_A_BRIEFING']);
    expect(await conflict(`/v1/referrals/${equipment.id}/cancel`, { actorId: 'rn-ana', reason: 'duplicate' })).toEqual([409, 'INVALID_TRANSITION']);
    expect((await post(`/v1/referrals/${wellness.id}/release`, { actorId: 'rn-ana' })).status).toBe(400);
    expect(await conflict(`/v1/referrals/00000000-0000-4000-8000-000000000000/start`, { actorId: 'rn-ana' })).toEqual([404, 'REFERRAL_NOT_FOUND']);
    expect(await conflict('/v1/queues/claims', { nurseId: 'rn-nobody' })).toEqual([404, 'NURSE_NOT_FOUND']);

    expect((await post(`/v1/referrals/${wellness.id}/release`, { actorId: 'rn-ana', reason: 'shift-ended' })).body).toMatchObject({ status: 'new', claimedBy: null });
    expect(await conflict(`/v1/referrals/${wellness.id}/reassign`, { actorId: 'rn-ana', nurseId: 'rn-li', reason: 'speaks-language' })).toEqual([403, 'NOT_SUPERVISOR']);
    const assigned = await post(`/v1/referrals/${wellness.id}/reassign`, { actorId: 'sup-kim', nurseId: 'rn-li', reason: 'speaks-language' });
    expect(assigned.body).toMatchObject({ status: 'claimed', claimedBy: 'rn-li' });
    const notice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === wellness.id && event.data.recipientId === 'rn-li');
    expect(notice.data.title).toBe('Referral handed to you: wellness program enrollment');
    expect((await post(`/v1/referrals/${wellness.id}/start`, { actorId: 'rn-li' })).body.status).toBe('in-progress');
    const scheduled = await post(`/v1/referrals/${wellness.id}/schedule`, { actorId: 'rn-li', scheduledFor: new Date(Date.now() + 48 * HOUR).toISOString() });
    expect(scheduled.body.status).toBe('scheduled');
    expect((await post(`/v1/referrals/${wellness.id}/decline`, { actorId: 'rn-li', reason: 'patient-declined' })).body.status).toBe('declined');
  }, 30_000);

  it('returns a claim to the queue when the nurse stops renewing its lease, and tells the nurse', async () => {
    const social = await referralFor(new PatientEvents('SRC').episode('V-SRC'), 'social-needs');
    const claimed = await post(`/v1/referrals/${social.id}/claim`, { actorId: 'rn-ana' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const renewed = await post(`/v1/referrals/${social.id}/renew`, { actorId: 'rn-ana' });
    expect(renewed.status).toBe(200);
    expect(Date.parse(renewed.body.leaseExpiresAt ?? '')).toBeGreaterThan(Date.parse(claimed.body.leaseExpiresAt ?? ''));
    expect((await post<{ code: string }>(`/v1/referrals/${social.id}/renew`, { actorId: 'rn-li' })).body.code).toBe('NOT_CLAIMANT');

    const back = await eventually(async () => {
      const current = await detail(social.id);
      return current.status === 'new' ? current : undefined;
    }, LEASE_SECONDS * 1000 + 5000);
    expect(back.claimedBy).toBeNull();
    expect(back.history?.at(-1)).toMatchObject({ action: 'expire-lease', fromStatus: 'claimed', toStatus: 'new', actorId: 'system', reason: 'lease-expired' });
    expect((await post<{ code: string }>(`/v1/referrals/${social.id}/renew`, { actorId: 'rn-ana' })).body.code).toBe('INVALID_TRANSITION');
    const notice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === social.id && event.data.recipientId === 'rn-ana');
    expect(notice.data.title).toBe('Your claim lapsed: the referral is back in the queue');
  }, 30_000);

  it('withdraws an episode’s open referrals on A13 and A11 and all of a patient’s on death, telling the holder or the team', async () => {
    const a13 = new PatientEvents('A13');
    await publish(kafka, topics.encounters, a13.encounter('encounter.discharged', 'V-A13'));
    await publish(kafka, topics.pharmacy, a13.need('V-A13', 'flag-a13-wellness', 'diet-or-wellness'), a13.need('V-A13', 'flag-a13-social', 'social-needs'));
    const held = await referralFor(a13.episode('V-A13'), 'wellness-program');
    const waiting = await referralFor(a13.episode('V-A13'), 'social-needs');
    await post(`/v1/referrals/${held.id}/claim`, { actorId: 'rn-ana' });
    await publish(kafka, topics.encounters, a13.encounter('encounter.discharge-cancelled', 'V-A13'));
    await referralFor(a13.episode('V-A13'), 'social-needs', (referral) => referral.status === 'cancelled');
    for (const referral of await referralsOf(a13.episode('V-A13'))) {
      expect(referral).toMatchObject({ status: 'cancelled', statusReason: 'discharge-cancelled' });
    }
    const heldNotice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === held.id && event.data.title.startsWith('Referral withdrawn'));
    expect(heldNotice.data).toMatchObject({ recipientId: 'rn-ana', title: 'Referral withdrawn: discharge cancelled by the hospital' });
    const teamNotice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === waiting.id && event.data.title.startsWith('Referral withdrawn'));
    expect(teamNotice.data).toMatchObject({ recipientId: null, teamId: 'nursing-lgh' });
    // A source that arrives after the cancellation is recorded, and closed at once.
    await publish(kafka, topics.pharmacy, a13.need('V-A13', 'flag-a13-late', 'in-home-care'));
    expect(await referralFor(a13.episode('V-A13'), 'in-home-nursing')).toMatchObject({ status: 'cancelled', statusReason: 'discharge-cancelled' });

    const a11 = new PatientEvents('A11');
    await publish(kafka, topics.encounters, a11.encounter('encounter.admitted', 'V-A11'));
    await publish(kafka, topics.pharmacy, a11.need('V-A11', 'flag-a11', 'in-home-care'));
    await referralFor(a11.episode('V-A11'), 'in-home-nursing');
    await publish(kafka, topics.encounters, a11.encounter('encounter.admission-cancelled', 'V-A11'));
    expect(await referralFor(a11.episode('V-A11'), 'in-home-nursing', (referral) => referral.status === 'cancelled')).toMatchObject({ statusReason: 'admission-cancelled' });

    const dying = new PatientEvents('DEAD');
    await publish(kafka, topics.pharmacy, dying.need('V-DEAD-1', 'flag-dead-1', 'social-needs'), dying.need('V-DEAD-2', 'flag-dead-2', 'diet-or-wellness'));
    await referralFor(dying.episode('V-DEAD-2'), 'wellness-program');
    await publish(kafka, topics.encounters, dying.encounter('encounter.updated', 'V-DEAD-2', { deceased: true }));
    expect(await referralFor(dying.episode('V-DEAD-1'), 'social-needs', (referral) => referral.status === 'cancelled')).toMatchObject({ statusReason: 'patient-deceased' });
    expect(await referralFor(dying.episode('V-DEAD-2'), 'wellness-program', (referral) => referral.status === 'cancelled')).toMatchObject({ statusReason: 'patient-deceased' });

    const expired = new PatientEvents('PX');
    await publish(kafka, topics.pharmacy, expired.need('V-PX', 'flag-px', 'social-needs'), expired.expired('V-PX'));
    expect(await referralFor(expired.episode('V-PX'), 'social-needs', (referral) => referral.status === 'cancelled')).toMatchObject({ statusReason: 'patient-deceased' });
  }, 60_000);

  it('briefs the specialist with a packet of the medications, conditions and encounters seen, and closes on acknowledgement', async () => {
    const patient = new PatientEvents('BRF');
    await publish(
      kafka,
      topics.encounters,
      patient.encounter('encounter.discharged', 'V-BRF-1', { dischargedAt: new Date(Date.now() - 60 * 24 * HOUR).toISOString(), diagnoses: ['I25.10'] }),
      patient.encounter('encounter.discharged', 'V-BRF-2', { dischargedAt: new Date(Date.now() - 2 * HOUR).toISOString(), diagnoses: ['M06.9', 'I25.10', 'F32.9'] }),
    );
    await publish(
      kafka,
      topics.pharmacy,
      patient.reconciled('V-BRF-2'),
      patient.followUpCompleted('V-BRF-2'),
      patient.need('V-BRF-2', 'flag-brf', 'specialist-symptoms', { code: 'M06.9', codeSystem: 'ICD10' }),
    );
    const briefing = await referralFor(patient.episode('V-BRF-2'), 'specialist-briefing');
    const draft = await eventually(async () => {
      const current = (await api<Briefing>(`/v1/referrals/${briefing.id}/briefing`)).body;
      return current.packet.recentEncounters.length === 2 && current.packet.medications !== null ? current : undefined;
    });
    expect(draft.state).toBe('draft');
    expect(draft.packet.reasonForBriefing).toEqual({ system: 'ICD10', code: 'M06.9' });
    expect(draft.packet.medications?.homeMedications.map((medication) => medication.code)).toEqual(['327361']);
    expect(draft.packet.medications?.discrepancies).toEqual([expect.objectContaining({ kind: 'interaction' })]);
    expect(draft.packet.conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'M06.9', episodes: 1 }), expect.objectContaining({ code: 'I25.10', episodes: 2 })]),
    );
    expect(draft.packet.conditions.map((condition) => condition.code)).not.toContain('F32.9');
    expect(draft.packet.withheldConditions).toBe(1);
    expect(draft.packet.recentEncounters.map((encounter) => encounter.episodeId)).toEqual([patient.episode('V-BRF-2'), patient.episode('V-BRF-1')]);
    expect(draft.packet.pharmacistFollowUps).toEqual([expect.objectContaining({ outcome: 'reconciled' })]);

    expect((await post<{ code: string }>(`/v1/referrals/${briefing.id}/briefing/send`, { actorId: 'rn-ana', specialistId: 'dr-okafor' })).body.code).toBe('INVALID_TRANSITION');
    expect((await post<{ code: string }>(`/v1/referrals/${briefing.id}/briefing/acknowledge`, { acknowledgedBy: 'ehr-bridge' })).body.code).toBe('BRIEFING_NOT_SENT');
    await post(`/v1/referrals/${briefing.id}/claim`, { actorId: 'rn-ana' });
    await post(`/v1/referrals/${briefing.id}/start`, { actorId: 'rn-ana' });
    const sent = await post<Briefing>(`/v1/referrals/${briefing.id}/briefing/send`, { actorId: 'rn-ana', specialistId: 'dr-okafor' });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ state: 'sent', referralStatus: 'ordered', specialistId: 'dr-okafor' });
    const event = await recorder.waitFor('referral.briefing-sent', (candidate) => candidate.data.referralId === briefing.id);
    expect(event.data).toMatchObject({ specialistId: 'dr-okafor', link: `/v1/referrals/${briefing.id}/briefing`, contents: { conditions: 2, encounters: 2, withheldConditions: 1 } });
    expect(JSON.stringify(event)).not.toContain('M06.9');

    const acknowledged = await post<Briefing>(`/v1/referrals/${briefing.id}/briefing/acknowledge`, { acknowledgedBy: 'ehr-bridge' });
    expect(acknowledged.body).toMatchObject({ state: 'acknowledged', referralStatus: 'completed' });
    const again = await post<Briefing>(`/v1/referrals/${briefing.id}/briefing/acknowledge`, { acknowledgedBy: 'ehr-bridge' });
    expect(again).toMatchObject({ status: 200, body: { state: 'acknowledged', acknowledgedAt: acknowledged.body.acknowledgedAt } });
    expect((await api<Briefing>(`/v1/referrals/${briefing.id}/briefing`)).body.packet.assembledAt).toBe(sent.body.packet.assembledAt);
    const notice = await recorder.waitFor('notification.requested', (candidate) => candidate.data.itemId === briefing.id && candidate.data.recipientId === 'rn-ana');
    expect(notice.data.title).toBe('The specialist acknowledged your briefing');
    expect((await detail(briefing.id)).history?.at(-1)).toMatchObject({ action: 'acknowledge-briefing', actorId: 'ehr-bridge', toStatus: 'completed' });
  }, 60_000);

  it('escalates a referral before its deadline and reports the breach at it to the supervisors, unless it was arranged in time', async () => {
    const patient = new PatientEvents('SLA');
    // Equipment is due 24 h after discharge: these are due a few seconds from now. The home-health
    // referral of the discharge shows the discharge (and so the clock start) was handled first.
    const dischargedAt = new Date(Date.now() - 24 * HOUR + 8000).toISOString();
    await publish(kafka, topics.encounters, patient.encounter('encounter.discharged', 'V-SLA', { dischargedAt, disposition: '06' }));
    await referralFor(patient.episode('V-SLA'), 'in-home-nursing');
    await publish(
      kafka,
      topics.careGaps,
      patient.gap('care-gap.opened', 'V-SLA', { gapId: 'gap-sla-late' }),
      patient.gap('care-gap.opened', 'V-SLA', { gapId: 'gap-sla-arranged', gapType: 'home-scale', item: { system: 'HCPCS', code: 'E1639' } }),
    );
    const late = await referralFor(patient.episode('V-SLA'), 'dme-order', (referral) => referral.source.id === 'gap-sla-late');
    const arranged = await referralFor(patient.episode('V-SLA'), 'dme-order', (referral) => referral.source.id === 'gap-sla-arranged');
    expect(late).toMatchObject({ priority: 'urgent', dueAt: new Date(Date.parse(dischargedAt) + 24 * HOUR).toISOString() });
    await post(`/v1/referrals/${arranged.id}/claim`, { actorId: 'rn-li' });
    await post(`/v1/referrals/${arranged.id}/start`, { actorId: 'rn-li' });
    expect((await post(`/v1/referrals/${arranged.id}/order`, { actorId: 'rn-li' })).body.status).toBe('ordered');

    const escalation = await recorder.waitFor('referral.sla-escalated', (event) => event.data.referralId === late.id && event.data.step === 'escalation');
    expect(Date.parse(escalation.recordedAt)).toBeLessThan(Date.parse(late.dueAt));
    const escalationNotice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === late.id && event.data.title.startsWith('Referral due soon'));
    expect(escalationNotice.data).toMatchObject({ recipientId: null, teamId: 'nursing-lgh', urgency: 'urgent', title: 'Referral due soon and not yet arranged: home equipment order' });

    const breach = await recorder.waitFor('referral.sla-escalated', (event) => event.data.referralId === late.id && event.data.step === 'breach', 15_000);
    expect(Date.parse(breach.recordedAt)).toBeGreaterThanOrEqual(Date.parse(late.dueAt));
    const breachNotice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === late.id && event.data.recipientId === 'sup-kim');
    expect(breachNotice.data.title).toBe('Referral past its deadline: home equipment order');
    expect((await detail(late.id)).breachedAt).not.toBeNull();
    expect((await detail(arranged.id)).breachedAt).toBeNull();
    expect(recorder.of('referral.sla-escalated', (event) => event.data.referralId === arranged.id && event.data.step === 'breach')).toEqual([]);

    const queues = (await api<QueueStats[]>('/v1/queues?teamId=nursing-lgh')).body;
    const equipmentQueue = queues.find((queue) => queue.queueId === 'nursing-lgh.equipment');
    expect(equipmentQueue).toMatchObject({ breachedOpen: 1, breachesLast24h: 1, overdue: 1 });
    expect(equipmentQueue?.waiting).toBeGreaterThanOrEqual(1);
    expect(equipmentQueue?.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
  }, 60_000);

  it('never hands one referral to two of 50 nurses taking work over HTTP at once', async () => {
    const team = Array.from({ length: 50 }, (_, index) => `rn-http-${index}`);
    await Promise.all(team.map((id) => nurse(id, 'nursing', 'nurse', ['social-work'])));
    const flags = Array.from({ length: 300 }, (_, index) => new PatientEvents(`C${index % 30}`, 'SMC').need(`V-C${index}`, `flag-c-${index}`, 'social-needs'));
    await publish(kafka, topics.pharmacy, ...flags);
    await eventually(
      async () => ((await api<Referral[]>('/v1/referrals?queueId=nursing.social-work&limit=1000')).body.length === 300 ? true : undefined),
      30_000,
      250,
    );

    const started = Date.now();
    const claims = await Promise.all(
      team.map(async (nurseId) => {
        const mine: string[] = [];
        for (;;) {
          const response = await post('/v1/queues/claims', { nurseId });
          if (response.status === 204) {
            return { nurseId, mine };
          }
          expect(response.body.claimedBy).toBe(nurseId);
          mine.push(response.body.id);
        }
      }),
    );
    console.log(`300 referrals claimed by 50 concurrent HTTP claimers in ${Date.now() - started} ms`);
    const all = claims.flatMap((claim) => claim.mine);
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
    const stored = (await api<Referral[]>('/v1/referrals?queueId=nursing.social-work&limit=1000')).body;
    const holder = new Map(claims.flatMap(({ nurseId, mine }) => mine.map((id) => [id, nurseId] as const)));
    expect(stored.every((referral) => referral.status === 'claimed' && referral.claimedBy === holder.get(referral.id))).toBe(true);
  }, 90_000);

  it('documents every route in OpenAPI', async () => {
    const document = (await api<{ paths: Record<string, Record<string, unknown>> }>('/docs-json')).body;
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /v1/referrals',
        'GET /v1/referrals/{id}',
        'POST /v1/referrals/{id}/claim',
        'POST /v1/referrals/{id}/renew',
        'POST /v1/referrals/{id}/release',
        'POST /v1/referrals/{id}/reassign',
        'POST /v1/referrals/{id}/start',
        'POST /v1/referrals/{id}/schedule',
        'POST /v1/referrals/{id}/order',
        'POST /v1/referrals/{id}/complete',
        'POST /v1/referrals/{id}/decline',
        'POST /v1/referrals/{id}/cancel',
        'GET /v1/referrals/{id}/briefing',
        'POST /v1/referrals/{id}/briefing/send',
        'POST /v1/referrals/{id}/briefing/acknowledge',
        'GET /v1/queues',
        'POST /v1/queues/claims',
        'PUT /v1/nurses/{id}',
        'GET /v1/nurses',
        'GET /v1/nurses/{id}',
      ]),
    );
  });
});
