import type { Kafka } from 'kafkajs';
import { Client } from 'pg';
import { createEnvelope } from '@sc/contracts';
import { createKafka } from '@sc/messaging';
import { SystemUnderTest, databaseUrl, eventually, kafkaBrokers } from '@sc/testing';
import { encounterEvent, mergeEvent } from './support/encounter-events';
import { TopicRecorder, publish } from './support/topic-recorder';

interface Task {
  id: string;
  kind: string;
  status: string;
  priority: string;
  dueAt: string;
  assigneeId: string | null;
  correlationId: string;
  matchMethod: string;
  statusReason: string | null;
  patientId: string;
  clocks: Array<{ clock: string; dueAt: string; metAt: string | null; metBy: string | null; status: string }>;
}

const HOUR = 3_600_000;

describe('pharmacy-alert: the pharmacist discharge worklist', () => {
  let system: SystemUnderTest;
  let kafka: Kafka;
  let recorder: TopicRecorder;
  let base: string;
  let encounters: string;
  let database: Client;

  const rowsOf = async (sql: string, params: unknown[]): Promise<unknown[]> => (await database.query(sql, params)).rows;

  // The pharmacist of team-1 who also supervises and runs the roster feed, so one caller can drive every step.
  const api = async <T>(path: string, init?: { method?: string; body?: unknown; contentType?: string }): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${path}`, {
      method: init?.method ?? 'GET',
      headers: {
        ...system.authorization('pharm-ana', ['pharmacist', 'supervisor', 'integration', 'admin'], ['team-1']),
        ...(init?.body !== undefined ? { 'Content-Type': init.contentType ?? 'application/json' } : {}),
      },
      body: init?.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  };

  const rosterRow = (id: string, mrn: string, extra: Record<string, unknown> = {}) => ({
    pharmacyPatientId: id,
    familyName: 'TESTER',
    givenName: 'PAT',
    birthDate: '1968-04-12',
    sex: 'M',
    pharmacistId: 'pharm-ana',
    teamId: 'team-1',
    identifiers: [{ authority: 'LGH', value: mrn, type: 'MR' }],
    therapies: [{ drugSystem: 'RXNORM', drugCode: '327361', drugName: 'adalimumab', conditionCode: 'M06.9' }],
    ...extra,
  });

  const loadRoster = async (...rows: Array<Record<string, unknown>>) => {
    const result = await api<{ accepted: number }>('/v1/roster/patients', { method: 'POST', body: { patients: rows } });
    expect(result.body.accepted).toBe(rows.length);
  };

  const tasksOf = async (episode: string): Promise<Task[]> =>
    (await api<Task[]>('/v1/tasks')).body.filter((task) => task.correlationId === `enc:LGH:${episode}`);

  const taskFor = (episode: string, kind = 'discharge-call', status = 'open'): Promise<Task> =>
    eventually(async () => (await tasksOf(episode)).find((task) => task.kind === kind && task.status === status));

  beforeAll(async () => {
    system = await SystemUnderTest.start({
      services: ['pharmacy-alert'],
      env: { TIMER_POLL_MS: '200', ESCALATION_REMINDER_MINUTES: '1' },
    });
    kafka = createKafka({ brokers: kafkaBrokers(), clientId: `${system.runId}-test` });
    recorder = new TopicRecorder(kafka, [system.topics.of('pharmacy'), system.topics.of('notificationRequests')], `${system.runId}.recorder`);
    await recorder.start();
    base = system.service('pharmacy-alert').url('');
    encounters = system.topics.of('encounters');
    database = new Client({ connectionString: databaseUrl(system.runId, 'pharmacy-alert') });
    await database.connect();
    await api('/v1/pharmacists/pharm-ana', { method: 'PUT', body: { teamId: 'team-1', role: 'pharmacist', languages: ['en'] } });
    await api('/v1/pharmacists/pharm-luis', { method: 'PUT', body: { teamId: 'team-1', role: 'pharmacist', languages: ['en', 'es'] } });
    await api('/v1/pharmacists/lead-kim', { method: 'PUT', body: { teamId: 'team-1', role: 'team-lead', languages: ['en'] } });
  }, 120_000);

  afterAll(async () => {
    await recorder?.stop();
    await database?.end();
    await system?.stop();
  }, 60_000);

  it('creates one high-priority task due 24 h after clinical discharge and notifies the assigned pharmacist', async () => {
    await loadRoster(rosterRow('SP-D1', 'MRN-D1'));
    const dischargedAt = new Date(Date.now() - HOUR).toISOString();
    const discharge = encounterEvent('encounter.discharged', { mrn: 'MRN-D1', visit: 'V-D1', dischargedAt });
    await publish(kafka, encounters, discharge, discharge);
    const task = await taskFor('V-D1');
    expect(task).toMatchObject({ priority: 'high', assigneeId: 'pharm-ana', matchMethod: 'identifier' });
    expect(task.dueAt).toBe(new Date(Date.parse(dischargedAt) + 24 * HOUR).toISOString());

    const notification = await recorder.waitFor('notification.requested', (event) => event.data.itemId === task.id);
    expect(notification.data).toMatchObject({ recipientId: 'pharm-ana', urgency: 'urgent', link: `/v1/tasks/${task.id}` });
    expect(notification.causationId).toBe(discharge.id);

    // A second discharge event for the same episode (a hospital resend with a new control id) adds nothing.
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-D1', visit: 'V-D1', dischargedAt }));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await tasksOf('V-D1')).toHaveLength(1);
    expect(recorder.of('pharmacy.task-created', (event) => event.data.taskId === task.id)).toHaveLength(1);
  }, 60_000);

  it('counts an unrostered patient without creating work or writing any row', async () => {
    const discharge = encounterEvent('encounter.discharged', { mrn: 'NOBODY', visit: 'V-U1', familyName: 'UNKNOWN', birthDate: '1950-01-01' });
    await publish(kafka, encounters, discharge);
    await eventually(async () => ((await api<{ unrosteredEncounters: number }>('/v1/roster/stats')).body.unrosteredEncounters >= 1 ? true : undefined));
    expect(await tasksOf('V-U1')).toHaveLength(0);
    expect(await rowsOf('SELECT 1 FROM inbox WHERE event_id = $1', [discharge.id])).toEqual([]);
    expect(await rowsOf(`SELECT 1 FROM outbox WHERE payload::jsonb ->> 'causationId' = $1`, [discharge.id])).toEqual([]);
  }, 30_000);

  it('matches on perfect unique demographics when no identifier matches, and marks the task so', async () => {
    await loadRoster(rosterRow('SP-DEMO', 'OTHER-MRN', { familyName: 'DEMOGRAPHIC', givenName: 'DORA', birthDate: '1971-02-03', sex: 'F' }));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'NEW-MRN', visit: 'V-DEMO', familyName: 'Demographic', givenName: 'Dora', birthDate: '1971-02-03', sex: 'F' }));
    expect((await taskFor('V-DEMO')).matchMethod).toBe('demographic');
  }, 30_000);

  it('sends an ambiguous demographic match to identity review, and a resolution applies the discharge', async () => {
    await loadRoster(
      rosterRow('SP-TWIN-1', 'TWIN-1', { familyName: 'TWIN', givenName: 'ALEX', birthDate: '1990-05-05' }),
      rosterRow('SP-TWIN-2', 'TWIN-2', { familyName: 'TWIN', givenName: 'ALEX', birthDate: '1990-05-05' }),
    );
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'TWIN-NEW', visit: 'V-TWIN', familyName: 'TWIN', givenName: 'ALEX', birthDate: '1990-05-05' }));
    const review = await eventually(async () => (await api<Array<{ id: string; candidates: Array<{ patientId: string; score: number }> }>>('/v1/identity-reviews')).body[0]);
    expect(review.candidates).toHaveLength(2);
    expect(await tasksOf('V-TWIN')).toHaveLength(0);

    const resolved = await api<{ result: string }>(`/v1/identity-reviews/${review.id}/resolve`, {
      method: 'POST',
      body: { patientId: review.candidates[0].patientId },
    });
    expect(resolved).toEqual({ status: 200, body: { result: 'task-created' } });
    expect((await taskFor('V-TWIN')).matchMethod).toBe('identity-review');
  }, 30_000);

  it('plans facility coordination for a discharge to a skilled nursing facility', async () => {
    await loadRoster(rosterRow('SP-SNF', 'MRN-SNF'));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-SNF', visit: 'V-SNF', disposition: '03' }));
    await taskFor('V-SNF', 'coordinate-with-facility');
  }, 30_000);

  it('puts an admission on the worklist with a refill hold, released at discharge', async () => {
    await loadRoster(rosterRow('SP-ADM', 'MRN-ADM'));
    await publish(kafka, encounters, encounterEvent('encounter.admitted', { mrn: 'MRN-ADM', visit: 'V-ADM' }));
    const alert = await taskFor('V-ADM', 'admission-alert');
    const holds = async () => (await api<Array<{ status: string; reason: string }>>(`/v1/patients/${alert.patientId}/refill-holds`)).body;
    expect(await holds()).toEqual([expect.objectContaining({ status: 'held', reason: 'inpatient' })]);

    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-ADM', visit: 'V-ADM' }));
    await taskFor('V-ADM');
    expect(await holds()).toEqual([expect.objectContaining({ status: 'released', reason: 'discharged' })]);
    await recorder.waitFor('pharmacy.refill-hold-released', (event) => event.data.patientId === alert.patientId);
  }, 30_000);

  it('handles a run of discharges (one after an admission, one episode sent twice, one event redelivered) as it would one at a time', async () => {
    const mrns = ['RUN-1', 'RUN-2', 'RUN-3', 'RUN-4', 'RUN-5', 'RUN-6', 'RUN-7', 'RUN-8', 'RUN-HELD', 'RUN-RESENT'];
    await loadRoster(...mrns.map((mrn) => rosterRow(`SP-${mrn}`, mrn)));
    await publish(kafka, encounters, encounterEvent('encounter.admitted', { mrn: 'RUN-HELD', visit: 'V-RUN-HELD' }));
    const alert = await taskFor('V-RUN-HELD', 'admission-alert');

    const discharges = mrns.map((mrn) => encounterEvent('encounter.discharged', { mrn, visit: `V-${mrn}` }));
    const resent = encounterEvent('encounter.discharged', { mrn: 'RUN-RESENT', visit: 'V-RUN-RESENT' });
    // Ten patients over six partitions: some partitions get a run of several in one fetch.
    await publish(kafka, encounters, ...discharges, discharges[0], resent);

    for (const mrn of mrns) {
      await taskFor(`V-${mrn}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    for (const mrn of mrns) {
      expect((await tasksOf(`V-${mrn}`)).filter((task) => task.kind === 'discharge-call')).toHaveLength(1);
    }
    const created = recorder.of('pharmacy.task-created', (event) => mrns.some((mrn) => event.correlationId === `enc:LGH:V-${mrn}`) && event.data.kind === 'discharge-call');
    expect(created).toHaveLength(mrns.length);
    const holds = (await api<Array<{ status: string; reason: string }>>(`/v1/patients/${alert.patientId}/refill-holds`)).body;
    expect(holds).toEqual([expect.objectContaining({ status: 'released', reason: 'discharged' })]);
    await recorder.waitFor('pharmacy.refill-hold-released', (event) => event.data.patientId === alert.patientId);
  }, 60_000);

  it('cancels the open discharge task when the hospital cancels the discharge (A13), and says so', async () => {
    await loadRoster(rosterRow('SP-A13', 'MRN-A13'));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-A13', visit: 'V-A13' }));
    const task = await taskFor('V-A13');
    await publish(kafka, encounters, encounterEvent('encounter.discharge-cancelled', { mrn: 'MRN-A13', visit: 'V-A13' }));
    const cancelled = await taskFor('V-A13', 'discharge-call', 'cancelled');
    expect(cancelled.statusReason).toContain('A13');
    await recorder.waitFor('pharmacy.task-cancelled', (event) => event.data.taskId === task.id);
    await recorder.waitFor('notification.requested', (event) => event.data.notificationId === `cancelled-${task.id}`);
  }, 30_000);

  it('cancels the admission alert and releases the hold when the admission is cancelled (A11)', async () => {
    await loadRoster(rosterRow('SP-A11', 'MRN-A11'));
    await publish(kafka, encounters, encounterEvent('encounter.admitted', { mrn: 'MRN-A11', visit: 'V-A11' }));
    const alert = await taskFor('V-A11', 'admission-alert');
    await publish(kafka, encounters, encounterEvent('encounter.admission-cancelled', { mrn: 'MRN-A11', visit: 'V-A11' }));
    await taskFor('V-A11', 'admission-alert', 'cancelled');
    const holds = (await api<Array<{ status: string; reason: string }>>(`/v1/patients/${alert.patientId}/refill-holds`)).body;
    expect(holds).toEqual([expect.objectContaining({ status: 'released', reason: 'admission-cancelled' })]);
  }, 30_000);

  it('stops outreach when the patient expired: no call task, open items closed, team informed', async () => {
    await loadRoster(rosterRow('SP-EXP', 'MRN-EXP'));
    await publish(kafka, encounters, encounterEvent('encounter.admitted', { mrn: 'MRN-EXP', visit: 'V-EXP' }));
    const alert = await taskFor('V-EXP', 'admission-alert');
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-EXP', visit: 'V-EXP', disposition: '20' }));
    const expired = await recorder.waitFor('pharmacy.patient-expired', (event) => event.data.patientId === alert.patientId);
    expect(expired.data.closedTaskIds).toEqual([alert.id]);
    const notice = await recorder.waitFor('notification.requested', (event) => event.data.itemId === alert.patientId);
    expect(notice.data).toMatchObject({ recipientId: null, teamId: 'team-1' });
    expect((await tasksOf('V-EXP')).map((task) => `${task.kind}:${task.status}`)).toEqual(['admission-alert:cancelled']);
  }, 30_000);

  it('creates a discharge received 30 hours late overdue and escalates it to the team lead at once', async () => {
    await loadRoster(rosterRow('SP-LATE', 'MRN-LATE'));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-LATE', visit: 'V-LATE', dischargedAt: new Date(Date.now() - 30 * HOUR).toISOString() }));
    const task = await taskFor('V-LATE');
    expect(task.priority).toBe('urgent');
    const created = await recorder.waitFor('pharmacy.task-created', (event) => event.data.taskId === task.id);
    expect(created.data.overdueOnArrival).toBe(true);
    await recorder.waitFor('pharmacy.task-escalated', (event) => event.data.taskId === task.id && event.data.step === 'breach');
    await recorder.waitFor('pharmacy.task-escalated', (event) => event.data.taskId === task.id && event.data.step === 'team-lead');
    await recorder.waitFor('notification.requested', (event) => event.data.itemId === task.id && event.data.recipientId === 'lead-kim');
  }, 30_000);

  it('turns the call into a chart review when the patient opted out of phone contact', async () => {
    await loadRoster(rosterRow('SP-NOPHONE', 'MRN-NOPHONE', { contactChannels: ['mail'] }));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-NOPHONE', visit: 'V-NOPHONE' }));
    await taskFor('V-NOPHONE', 'chart-review');
  }, 30_000);

  it('routes a Spanish-speaking patient without an assigned pharmacist to a Spanish-speaking pharmacist', async () => {
    await loadRoster(rosterRow('SP-ES', 'MRN-ES', { pharmacistId: undefined, preferredLanguage: 'es' }));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-ES', visit: 'V-ES' }));
    expect((await taskFor('V-ES')).assigneeId).toBe('pharm-luis');
  }, 30_000);

  it('records the pharmacist’s work as events other teams consume and a shared timeline', async () => {
    await loadRoster(rosterRow('SP-WF', 'MRN-WF'));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-WF', visit: 'V-WF' }));
    const task = await taskFor('V-WF');
    const actor = {};

    const early = await api<{ code: string }>(`/v1/tasks/${task.id}/complete`, { method: 'POST', body: { ...actor, outcome: 'reconciled' } });
    expect(early).toMatchObject({ status: 409, body: { code: 'RECONCILIATION_REQUIRED' } });

    expect((await api<Task>(`/v1/tasks/${task.id}/acknowledge`, { method: 'POST', body: actor })).body.status).toBe('acknowledged');
    expect((await api(`/v1/tasks/${task.id}/contact-attempts`, { method: 'POST', body: { ...actor, outcome: 'reached' } })).status).toBe(200);
    const reconciliation = {
      ...actor,
      homeMedications: [{ system: 'RXNORM', code: '327361' }],
      startedInHospital: [{ system: 'RXNORM', code: '197361' }],
      stopped: [],
      changed: [],
      discrepancies: [{ medication: { system: 'RXNORM', code: '197361' }, kind: 'omission' }],
    };
    expect((await api(`/v1/tasks/${task.id}/medication-reconciliation`, { method: 'PUT', body: reconciliation })).status).toBe(200);
    const device = await api<{ flagId: string }>(`/v1/tasks/${task.id}/needs`, { method: 'POST', body: { ...actor, need: 'missing-home-device', codeSystem: 'HCPCS', code: 'A4670' } });
    expect(device.status).toBe(201);
    await api(`/v1/tasks/${task.id}/needs`, { method: 'POST', body: { ...actor, need: 'diet-or-wellness' } });
    const done = await api<Task>(`/v1/tasks/${task.id}/complete`, { method: 'POST', body: { ...actor, outcome: 'reconciled' } });
    expect(done.body.status).toBe('completed');
    const clocks = Object.fromEntries((await api<Task>(`/v1/tasks/${task.id}`)).body.clocks.map((clock) => [clock.clock, clock.status]));
    expect(clocks).toEqual({
      'follow-up-24h': 'met',
      'tcm-interactive-contact': 'met',
      'tcm-face-to-face-7d': 'running',
      'tcm-face-to-face-14d': 'running',
      'hedis-medication-reconciliation': 'met',
      'hedis-engagement': 'met',
    });

    const flagged = await recorder.waitFor('pharmacy.need-flagged', (event) => event.data.flagId === device.body.flagId);
    expect(flagged.data).toMatchObject({ need: 'missing-home-device', code: 'A4670', codeSystem: 'HCPCS' });
    const completed = await recorder.waitFor('pharmacy.task-completed', (event) => event.data.taskId === task.id);
    expect(completed.data).toMatchObject({ outcome: 'reconciled', withinWindow: true });
    await recorder.waitFor('pharmacy.medication-reconciled', (event) => event.data.taskId === task.id);

    const timeline = (await api<Array<{ kind: string; team: string }>>(`/v1/patients/${task.patientId}/timeline`)).body.map((entry) => entry.kind);
    expect(timeline).toEqual(['discharged', 'acknowledged', 'contact-attempt', 'medication-reconciliation', 'need-flagged', 'need-flagged', 'completed']);

    const closed = await api<{ code: string }>(`/v1/tasks/${task.id}/acknowledge`, { method: 'POST', body: actor });
    expect(closed).toMatchObject({ status: 409, body: { code: 'TASK_CLOSED' } });

    // Yesterday to tomorrow holds today in any facility time zone.
    const day = (offset: number): string => new Date(Date.now() + offset * 24 * HOUR).toISOString().slice(0, 10);
    const period = `facility=LGH&teamId=team-1&from=${day(-1)}&to=${day(1)}`;
    const report = await api<{ dischargesReceived: number; contactedWithin24Hours: { count: number }; misses: Array<{ taskId: string }> }>(`/v1/quality-report?${period}`);
    expect(report.status).toBe(200);
    expect(report.body.contactedWithin24Hours.count).toBeGreaterThan(0);
    expect(report.body.misses.map((miss) => miss.taskId)).not.toContain(task.id);
    const csv = await fetch(`${base}/v1/quality-report/discharges.csv?${period}`, { headers: system.authorization('pharm-ana', ['supervisor'], ['team-1']) });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect((await csv.text()).split('\r\n').filter((row) => row.includes(`,${task.id},`))).toEqual([expect.stringContaining(',true,true,true,,')]);
  }, 60_000);

  it('moves the location on a transfer (A02) and ends outreach when an update (A08) carries the death indicator', async () => {
    await loadRoster(rosterRow('SP-A08', 'MRN-A08'));
    await publish(kafka, encounters, encounterEvent('encounter.admitted', { mrn: 'MRN-A08', visit: 'V-A08' }));
    const alert = await taskFor('V-A08', 'admission-alert');
    const transfer = encounterEvent('encounter.transferred', { mrn: 'MRN-A08', visit: 'V-A08' });
    transfer.data.visit.location = { pointOfCare: 'ICU', room: '2', bed: 'A', facility: 'LGH' };
    await publish(kafka, encounters, transfer);
    await eventually(async () => ((await api<{ location: string }>(`/v1/tasks/${alert.id}`)).body.location === 'ICU-2-A' ? true : undefined));

    await publish(kafka, encounters, encounterEvent('encounter.updated', { mrn: 'MRN-A08', visit: 'V-A08', deceased: true }));
    await taskFor('V-A08', 'admission-alert', 'cancelled');
    await recorder.waitFor('pharmacy.patient-expired', (event) => event.data.patientId === alert.patientId);
  }, 30_000);

  it('moves open work to the surviving patient when the hospital merges records (A40)', async () => {
    await loadRoster(rosterRow('SP-OLD', 'MRN-OLD'), rosterRow('SP-SURVIVOR', 'MRN-SURVIVOR'));
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-OLD', visit: 'V-MERGE' }));
    const before = await taskFor('V-MERGE');
    await publish(kafka, encounters, mergeEvent({ mrn: 'MRN-SURVIVOR', priorMrn: 'MRN-OLD', visit: 'V-MERGE' }));
    const survivor = await eventually(async () => {
      const task = (await api<Task>(`/v1/tasks/${before.id}`)).body;
      return task.patientId !== before.patientId ? task : undefined;
    });
    expect(survivor.status).toBe('open');
    const survivorTasks = (await api<Task[]>(`/v1/tasks?patientId=${survivor.patientId}`)).body;
    expect(survivorTasks.map((task) => task.id)).toContain(before.id);
  }, 30_000);

  it('reminds the assignee when the task stays unacknowledged', async () => {
    await loadRoster(rosterRow('SP-REM', 'MRN-REM'));
    // ESCALATION_REMINDER_MINUTES is 1 in this system; the reminder timer is due one minute after creation.
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-REM', visit: 'V-REM' }));
    const task = await taskFor('V-REM');
    const reminder = await recorder.waitFor('pharmacy.task-escalated', (event) => event.data.taskId === task.id && event.data.step === 'reminder', 90_000);
    expect(reminder.data.actorId).toBe('system');
    await recorder.waitFor('notification.requested', (event) => event.data.notificationId === `${task.id}-reminder-pharm-ana`);
  }, 120_000);

  it('answers a bad request with a 400 that names the field', async () => {
    const response = await api<{ message: string[] }>(`/v1/tasks/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/contact-attempts`, {
      method: 'POST',
      body: { outcome: 'maybe', extra: 1 },
    });
    expect(response.status).toBe(400);
    expect(response.body.message.join(' ')).toMatch(/outcome/);
    expect(response.body.message.join(' ')).toMatch(/extra/);
  }, 30_000);

  it('loads a roster CSV row by row, reporting bad rows with reasons and loading the rest', async () => {
    const csv = [
      'pharmacyPatientId,familyName,givenName,birthDate,sex,preferredLanguage,pharmacistId,teamId,outreachConsent,identifiers,therapies',
      'SP-CSV-1,CSV,ONE,1980-01-01,F,en,pharm-ana,team-1,true,LGH:CSV1:MR,RXNORM:327361:adalimumab:M06.9',
      'SP-CSV-2,CSV,TWO,1980-13-45,F,en,pharm-ana,team-1,true,,NDC:12:bad:',
      'SP-CSV-3,CSV,THREE,1981-01-01,M,es,,team-1,false,LGH:CSV3:MR,',
    ].join('\n');
    const result = await api<{ accepted: number; rejected: number; rowErrors: Array<{ row: number; errors: string[] }> }>('/v1/roster/patients.csv', {
      method: 'POST',
      body: csv,
      contentType: 'text/csv',
    });
    expect(result.body).toMatchObject({ accepted: 2, rejected: 1 });
    expect(result.body.rowErrors[0].row).toBe(2);
    const reasons = result.body.rowErrors[0].errors.join(' ');
    expect(reasons).toMatch(/birthDate/);
    expect(reasons).toMatch(/identifiers/);
    expect(reasons).toMatch(/drugCode/);
  }, 30_000);

  it('takes enrollment changes from the roster topic, and dead-letters an invalid one', async () => {
    const enrollment = createEnvelope(
      'roster.enrollment-changed',
      { action: 'upsert', patient: rosterRow('SP-KAFKA', 'MRN-KAFKA') },
      { source: 'enrollment', subject: 'SP-KAFKA', occurredAt: new Date().toISOString(), correlationId: 'enroll-1' },
    );
    const invalid = createEnvelope(
      'roster.enrollment-changed',
      { action: 'upsert', patient: { pharmacyPatientId: 'SP-BAD' } },
      { source: 'enrollment', subject: 'SP-BAD', occurredAt: new Date().toISOString(), correlationId: 'enroll-2' },
    );
    await publish(kafka, system.topics.of('rosterChanges'), enrollment, invalid);
    // The roster and encounter topics are consumed independently, so a discharge published now could
    // be handled before the enrollment commits (and be turned away as unrostered): a real feed
    // enrolls a patient well before their discharge, so wait until the enrollment is stored.
    await eventually(async () => (await rowsOf('SELECT 1 FROM patients WHERE pharmacy_patient_id = $1 AND enrolled', ['SP-KAFKA'])).length > 0 || undefined);
    await publish(kafka, encounters, encounterEvent('encounter.discharged', { mrn: 'MRN-KAFKA', visit: 'V-KAFKA' }));
    await taskFor('V-KAFKA');

    const deadLetters = new TopicRecorder(kafka, [system.topics.deadLetterOf('rosterChanges')], `${system.runId}.dlt`);
    await deadLetters.start();
    try {
      await deadLetters.waitFor('roster.enrollment-changed', (event) => event.id === invalid.id);
    } finally {
      await deadLetters.stop();
    }
  }, 60_000);

  it('exposes Prometheus metrics: events by outcome, time per run of events, consumer lag, outbox backlog, task clocks', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/sc_events_consumed_total\{outcome="handled",type="encounter.discharged"\} \d+/);
    expect(text).toMatch(/sc_events_consumed_total\{outcome="dead-lettered",type="roster.enrollment-changed"\} 1/);
    expect(text).toMatch(/sc_event_run_seconds_count\{topic="[^"]+care.encounters.v1"\} \d+/);
    expect(text).toMatch(/sc_consumer_lag\{partition="\d+",topic="[^"]+care.encounters.v1"\} \d+/);
    expect(text).toMatch(/sc_outbox_backlog \d+/);
    expect(text).toMatch(/sc_pharmacy_tasks\{clock="(open|due-soon|breached)",kind="discharge-call"\} \d+/);
  }, 30_000);
});
