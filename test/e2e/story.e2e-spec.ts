import { SERVICES, SseClient, SystemUnderTest, eventually } from '@sc/testing';
import { PHARMACY_TEAM, SPANISH_PHARMACIST, StoryDriver, StoryMessages, TEAM_LEAD, jasonRosterRow, type Task } from '../../tools/story/story-driver';

const HOUR = 3_600_000;
/** PID-15 as hospitals send Spanish: ISO 639-2/B and /T, 639-1, a name, a CE, a CE with only its text. */
const FEED_LANGUAGES = ['SPA', 'spa', 'es', 'Spanish', 'SPA^Spanish^ISO639', '^Spanish'];
const msa = (ack: string): string => (ack.split('\r').find((segment) => segment.startsWith('MSA|')) ?? '').split('|')[1];

describe('the story: a specialty-pharmacy patient leaves the hospital and every team acts in time', () => {
  let system: SystemUnderTest;
  let story: StoryDriver;

  beforeAll(async () => {
    system = await SystemUnderTest.start({
      services: SERVICES,
      env: { TIMER_POLL_MS: '200' },
    });
    story = new StoryDriver({
      url: (service, pathname) => system.service(service).url(pathname),
      mllpPort: system.mllpPort,
      authorization: (sub, roles, teams) => system.authorization(sub, roles, teams),
    });
    const variant = (id: string, mrn: string, extra: Record<string, unknown> = {}) => ({
      ...jasonRosterRow(),
      pharmacyPatientId: id,
      familyName: `STORY${id.replace(/\W/g, '')}`,
      identifiers: [{ authority: 'LGH', value: mrn, type: 'MR' }],
      ...extra,
    });
    await story.setUp([
      jasonRosterRow(),
      variant('SP-A13', 'A13000001'),
      variant('SP-DIED', 'DIED00001'),
      variant('SP-LATE', 'LATE00001'),
      variant('SP-ES', 'ES0000001', { preferredLanguage: 'es', pharmacistId: undefined }),
      ...FEED_LANGUAGES.map((_, index) => variant(`SP-LANG${index}`, `LANG0000${index}`, { preferredLanguage: undefined, pharmacistId: undefined })),
    ]);
  }, 180_000);

  afterAll(async () => {
    story?.close();
    await system?.stop();
  }, 60_000);

  it('admission, discharge, pharmacist call and reconciliation, care gap with coverage, three nurse referrals, all inside 24 h, on one timeline', async () => {
    const messages = new StoryMessages('main');
    const feed = await story.openPharmacistFeed();

    // Admission: the refill hold pauses automatic specialty shipments.
    expect(msa((await story.sendHl7(messages.admission(new Date(Date.now() - 3 * 24 * HOUR)))).ack)).toBe('AA');
    const admission = await story.task(messages.episode, 'admission-alert');
    const holds = () => story.call<Array<{ status: string }>>('pharmacy-alert', 'GET', `/v1/patients/${admission.patientId}/refill-holds`, story.pharmacist());
    expect((await holds()).map((hold) => hold.status)).toEqual(['held']);

    // Discharge over MLLP: the pharmacist hears within seconds; the task is due 24 h after discharge.
    const dischargedAt = new Date(Date.now() - HOUR);
    const { ack, ackAt } = await story.sendHl7(messages.discharge(dischargedAt));
    expect(msa(ack)).toBe('AA');
    const task = await story.task(messages.episode, 'discharge-call');
    const notified = await story.notificationFor(feed, task.id);
    expect(notified.receivedAt - ackAt).toBeLessThan(5000);
    expect(new Date(task.dueAt).getTime()).toBe(dischargedAt.getTime() + 24 * HOUR);
    expect((await holds()).map((hold) => hold.status)).toEqual(['released']);

    // The pharmacist calls, reconciles and flags what the other teams must do.
    const pharmacist = story.pharmacist();
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/acknowledge`, pharmacist, {});
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/contact-attempts`, pharmacist, { outcome: 'reached' });
    await story.call('pharmacy-alert', 'PUT', `/v1/tasks/${task.id}/medication-reconciliation`, pharmacist, {
      homeMedications: [{ system: 'RXNORM', code: '327361' }],
      startedInHospital: [{ system: 'RXNORM', code: '197361' }, { system: 'RXNORM', code: '83367' }],
      stopped: [],
      changed: [],
      discrepancies: [{ medication: { system: 'RXNORM', code: '83367' }, kind: 'interaction' }],
    });
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'missing-home-device', codeSystem: 'HCPCS', code: 'A4670' });
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'diet-or-wellness' });
    await story.call('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/needs`, pharmacist, { need: 'specialist-symptoms', codeSystem: 'ICD10', code: 'M06.9' });

    // Care gap: the coronary-disease rule wants a home BP monitor; the plan covers it.
    const gap = await eventually(async () => (await story.gaps(task.subject)).find((candidate) => candidate.item.code === 'A4670'));
    expect(gap.coverage.determination).toBe('covered');

    // Nurses: equipment delivery, wellness program and the rheumatologist's briefing, each worked to completion.
    const referrals = await eventually(async () => {
      const found = await story.referrals(messages.episode);
      return ['dme-order', 'wellness-program', 'specialist-briefing'].every((type) => found.some((referral) => referral.type === type)) ? found : undefined;
    }, 30_000);
    const briefing = referrals.find((referral) => referral.type === 'specialist-briefing');
    const packet = await story.call<{ packet: { medications?: unknown; conditions?: unknown } }>('referral', 'GET', `/v1/referrals/${briefing?.id}/briefing`, story.nurse());
    expect(JSON.stringify(packet.packet)).toContain('327361');
    for (const referral of referrals.filter((candidate) => ['dme-order', 'wellness-program', 'specialist-briefing'].includes(candidate.type))) {
      await story.workReferral(referral);
    }
    const done = await eventually(async () => {
      const current = await story.referrals(messages.episode);
      return current.filter((referral) => referral.status === 'completed').length >= 3 ? current : undefined;
    });
    expect(done.filter((referral) => referral.status === 'completed').map((referral) => referral.type).sort()).toEqual(['dme-order', 'specialist-briefing', 'wellness-program']);

    // The gap is closed as the monitor arrives; the pharmacist closes the follow-up inside the window.
    for (const to of ['coverage-verified', 'ordered', 'delivered', 'closed']) {
      await story.call('care-gap', 'POST', `/v1/gaps/${gap.id}/transitions`, story.nurse(), { to, reason: `monitor ${to}` });
    }
    const completed = await story.call<Task>('pharmacy-alert', 'POST', `/v1/tasks/${task.id}/complete`, pharmacist, { outcome: 'reconciled' });
    expect(new Date(completed.completedAt ?? '').getTime()).toBeLessThan(new Date(task.dueAt).getTime());

    // One timeline, the same for the pharmacist and the nurse, with every team's steps.
    const kinds = await eventually(async () => {
      const entries = await story.timeline(task.patientId, story.nurse());
      const seen = entries.map((entry) => entry.kind);
      return seen.filter((kind) => kind === 'referral.status-changed').length >= 9 && seen.includes('care-gap.closed') ? entries : undefined;
    }, 30_000);
    const forPharmacist = await story.timeline(task.patientId, pharmacist);
    expect(forPharmacist).toEqual(kinds);
    const teams = new Set(kinds.map((entry) => entry.team));
    expect([...teams].sort()).toEqual(['care-gap', 'hospital', 'nursing', 'pharmacy']);
    const order = kinds.map((entry) => entry.kind);
    for (const expected of ['admitted', 'discharged', 'contact-attempt', 'medication-reconciliation', 'need-flagged', 'care-gap.opened', 'referral.created', 'completed']) {
      expect(order).toContain(expected);
    }
    expect(order.indexOf('admitted')).toBeLessThan(order.indexOf('discharged'));
    expect(kinds.every((entry) => !/RIVERA|JASON|1968/.test(entry.summary))).toBe(true);
  }, 180_000);

  it('withdraws the pharmacist’s task and says so when the hospital cancels the discharge (A13)', async () => {
    const messages = new StoryMessages('a13');
    const feed = await story.openPharmacistFeed();
    await story.sendHl7(messages.discharge(new Date(Date.now() - HOUR), { mrn: 'A13000001', family: 'STORYSPA13' }));
    const task = await story.task(messages.episode, 'discharge-call');
    await story.sendHl7(messages.cancelDischarge(new Date(), { mrn: 'A13000001', family: 'STORYSPA13' }));
    await story.task(messages.episode, 'discharge-call', 'cancelled');
    await feed.waitFor((event) => event.data.includes(`cancelled-${task.id}`));
  }, 60_000);

  it('reaches out to nobody when the patient died, and tells the team', async () => {
    const messages = new StoryMessages('died');
    const teamFeed = await SseClient.open(system.service('notifier').url(`/v1/streams/teams/${PHARMACY_TEAM}`), story.pharmacist());
    try {
      await story.sendHl7(messages.admission(new Date(Date.now() - 2 * 24 * HOUR), { mrn: 'DIED00001', family: 'STORYSPDIED' }));
      const alert = await story.task(messages.episode, 'admission-alert');
      await story.sendHl7(messages.discharge(new Date(Date.now() - HOUR), { mrn: 'DIED00001', family: 'STORYSPDIED', disposition: '20' }));
      await story.task(messages.episode, 'admission-alert', 'cancelled');
      const tasks = await story.call<Task[]>('pharmacy-alert', 'GET', `/v1/tasks?patientId=${alert.patientId}`, story.pharmacist());
      expect(tasks.some((task) => task.kind === 'discharge-call')).toBe(false);
      const notice = await teamFeed.waitFor((event) => event.data.includes(alert.patientId));
      expect(notice.data).toContain('outreach stopped');
    } finally {
      teamFeed.close();
    }
  }, 60_000);

  it('creates a discharge that arrives 30 hours late overdue and escalates it at once', async () => {
    const messages = new StoryMessages('late');
    await story.sendHl7(messages.discharge(new Date(Date.now() - 30 * HOUR), { mrn: 'LATE00001', family: 'STORYSPLATE' }));
    const task = await story.task(messages.episode, 'discharge-call');
    expect(task.priority).toBe('urgent');
    expect(new Date(task.dueAt).getTime()).toBeLessThan(Date.now());
    const lead = await SseClient.open(system.service('notifier').url(`/v1/streams/users/${TEAM_LEAD}`), story.as(TEAM_LEAD, ['team-lead'], [PHARMACY_TEAM]));
    try {
      const escalation = await lead.waitFor((event) => event.data.includes(task.id), 15_000);
      expect(escalation.data).toMatch(/Escalation|Deadline missed/);
    } finally {
      lead.close();
    }
  }, 60_000);

  it('gives a Spanish-speaking patient to a Spanish-speaking pharmacist', async () => {
    const messages = new StoryMessages('es');
    await story.sendHl7(messages.discharge(new Date(Date.now() - HOUR), { mrn: 'ES0000001', family: 'STORYSPES', language: 'SPA^Spanish^ISO639' }));
    const task = await story.task(messages.episode, 'discharge-call', undefined, SPANISH_PHARMACIST);
    expect(task.assigneeId).toBe(SPANISH_PHARMACIST);
  }, 60_000);

  it.each(FEED_LANGUAGES.map((language, index) => [language, index]))(
    'gives a patient the hospital reports as %s (no roster language) to the Spanish-speaking pharmacist and the Spanish-speaking nurses',
    async (language, index) => {
      const messages = new StoryMessages(`lang${index}`);
      const mrn = `LANG0000${index}`;
      // Disposition 06 (home health) makes the discharge itself ask for a nurse.
      await story.sendHl7(messages.discharge(new Date(Date.now() - HOUR), { mrn, family: `STORYSPLANG${index}`, language, disposition: '06' }));
      const task = await story.task(messages.episode, 'discharge-call', undefined, SPANISH_PHARMACIST);
      expect(task.assigneeId).toBe(SPANISH_PHARMACIST);
      const referral = await eventually(async () => (await story.referrals(messages.episode)).find((candidate) => candidate.type === 'in-home-nursing'));
      expect((referral as unknown as { language: string | null }).language).toBe('es');
    },
    60_000,
  );
});
