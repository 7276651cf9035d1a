import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@sc/config';
import { TopicNames, type EventEnvelope } from '@sc/contracts';
import { Outbox } from '@sc/messaging';
import { rootLogger } from '@sc/observability';
import { UnitOfWork, openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { ReferralConfig } from '../../../apps/referral/src/config';
import { ReferralError, ReferralErrorCode } from '../../../apps/referral/src/errors/referral-error';
import { ClinicalFactsRepository } from '../../../apps/referral/src/facts/clinical-facts.repository';
import { MIGRATIONS } from '../../../apps/referral/src/migrations';
import { NurseRepository } from '../../../apps/referral/src/nurses/nurse.repository';
import { ReferralEventsEmitter } from '../../../apps/referral/src/referrals/referral-events.emitter';
import { ReferralLifecycle } from '../../../apps/referral/src/referrals/referral-lifecycle';
import type { ReferralSpec } from '../../../apps/referral/src/referrals/referral-sources';
import { ReferralWorkflowService } from '../../../apps/referral/src/referrals/referral-workflow.service';
import { ReferralRepository } from '../../../apps/referral/src/referrals/referral.repository';
import { SlaWorker } from '../../../apps/referral/src/sla/sla.worker';

/** The referral service's application layer on a real, migrated PostgreSQL database (no Kafka: events stay in the outbox). */
describe(ReferralWorkflowService.name, () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let nurses: NurseRepository;

  const services = (env: Record<string, string> = {}) => {
    const config = loadConfig(ReferralConfig, env);
    const referrals = new ReferralRepository(dataSource);
    const events = new ReferralEventsEmitter(new Outbox(new TopicNames(`${runId}.`)));
    const lifecycle = new ReferralLifecycle(referrals, new ClinicalFactsRepository(), events, config);
    return {
      referrals,
      lifecycle,
      workflow: new ReferralWorkflowService(new UnitOfWork(dataSource), referrals, nurses, lifecycle, events, config),
      worker: new SlaWorker(new UnitOfWork(dataSource), referrals, nurses, lifecycle, events, config),
    };
  };

  /** Referrals straight into the table, as intake would leave them: `count` of them over two queues. */
  const seed = async (count: number, extra: { language?: string | null; dueInMinutes?: number } = {}): Promise<void> => {
    await dataSource.query(
      `INSERT INTO referrals (id, type, status, source_kind, source_id, source_key, source_event_id, subject, correlation_id,
                              team_id, skill, queue_id, language, priority, due_at, status_reason)
       SELECT gen_random_uuid(), CASE WHEN i % 2 = 0 THEN 'dme-order' ELSE 'in-home-nursing' END, 'new', 'need-flag', 'flag-' || i,
              'seed:' || gen_random_uuid(), gen_random_uuid(), 'pt-' || (i % 97), 'enc:LGH:V' || i, 'nursing',
              CASE WHEN i % 2 = 0 THEN 'equipment' ELSE 'home-health' END,
              CASE WHEN i % 2 = 0 THEN 'nursing.equipment' ELSE 'nursing.home-health' END,
              $2, (ARRAY['urgent', 'high', 'routine'])[1 + i % 3], now() + make_interval(mins => $3::int + i), 'source-need-flag'
       FROM generate_series(1, $1::int) AS i`,
      [count, extra.language ?? null, extra.dueInMinutes ?? 60],
    );
  };

  const registerNurse = (id: string, extra: { languages?: string[]; role?: 'nurse' | 'supervisor' } = {}) =>
    nurses.upsert({ id, teamId: 'nursing', role: extra.role ?? 'nurse', skills: ['equipment', 'home-health'], languages: extra.languages ?? ['en'], active: true });

  const codeOf = async (work: Promise<unknown>): Promise<ReferralErrorCode | 'ok'> =>
    work.then(
      () => 'ok' as const,
      (error: unknown) => {
        if (error instanceof ReferralError) {
          return error.code;
        }
        throw error;
      },
    );

  beforeAll(async () => {
    // A line per claim and per timer is right for a service, not for a 1,000-claim test run.
    rootLogger().level = 'warn';
    // 20 connections: real contention without starving the other suites that share this server.
    dataSource = await openDatabase({ url: databaseUrl(runId, 'referral-queue'), serviceName: 'referral-queue', migrations: MIGRATIONS, poolSize: 20 });
    nurses = new NurseRepository(dataSource);
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  beforeEach(async () => {
    await dataSource.query('TRUNCATE referral_timers, referral_history, briefings, referrals, nurses, outbox');
  });

  it("records each new referral's creation and SLA timers, and clears the timers of one withdrawn in the same transaction, its history in order", async () => {
    const { referrals, lifecycle } = services();
    const spec = (index: number): ReferralSpec => ({
      type: 'dme-order',
      sourceKind: 'need-flag',
      sourceId: `flag-run-${index}`,
      sourceKey: `need-flag:flag-run-${index}`,
      item: { system: 'HCPCS', code: 'A4670' },
      severity: null,
      teamId: 'nursing',
    });
    const source = (index: number) =>
      ({ id: randomUUID(), type: 'pharmacy.need-flagged', subject: `pt-run-${index}`, correlationId: `enc:LGH:RUN${index}`, occurredAt: new Date().toISOString() }) as unknown as EventEnvelope;
    const created = await new UnitOfWork(dataSource).run(async (manager) => {
      const made = [];
      for (let index = 0; index < 5; index += 1) {
        made.push(await lifecycle.create(manager, spec(index), source(index)));
      }
      // The first one is cancelled in the same transaction: its "create" entry must still come first.
      await lifecycle.withdraw(manager, [made[0]!], 'care-gap-dismissed', randomUUID());
      return made;
    });
    const history = await referrals.history(dataSource.manager, created[0]!.id);
    expect(history.map((entry) => entry.action)).toEqual(['create', 'cancel']);
    const timers: Array<{ count: string }> = await dataSource.query('SELECT count(DISTINCT referral_id) AS count FROM referral_timers WHERE fired_at IS NULL');
    expect(Number(timers[0].count)).toBe(4);
    expect(await dataSource.query('SELECT 1 FROM referral_timers WHERE referral_id = $1', [created[0]!.id])).toEqual([]);
  });

  it('hands each of 1,000 referrals to exactly one of 50 nurses claiming at once', async () => {
    await seed(1000);
    const team = Array.from({ length: 50 }, (_, index) => `rn-${index}`);
    await Promise.all(team.map((id) => registerNurse(id)));
    const { workflow } = services();

    const started = Date.now();
    const claimsBy = await Promise.all(
      team.map(async (nurseId) => {
        const mine: string[] = [];
        for (let next = await workflow.claimNext(nurseId); next !== null; next = await workflow.claimNext(nurseId)) {
          expect(next.claimedBy).toBe(nurseId);
          mine.push(next.id);
        }
        return { nurseId, mine };
      }),
    );
    const elapsedMs = Date.now() - started;
    console.log(`1000 referrals claimed by 50 concurrent claimers in ${elapsedMs} ms`);

    const all = claimsBy.flatMap((claims) => claims.mine);
    expect(all).toHaveLength(1000);
    expect(new Set(all).size).toBe(1000);
    const holders: Array<{ id: string; claimed_by: string; status: string }> = await dataSource.query('SELECT id, claimed_by, status FROM referrals');
    const claimedBy = new Map(claimsBy.flatMap(({ nurseId, mine }) => mine.map((id) => [id, nurseId] as const)));
    expect(holders.every((row) => row.status === 'claimed' && row.claimed_by === claimedBy.get(row.id))).toBe(true);
    const [history] = await dataSource.query(`SELECT count(*)::int AS claims, count(DISTINCT referral_id)::int AS referrals FROM referral_history WHERE action = 'claim'`);
    expect(history).toEqual({ claims: 1000, referrals: 1000 });
    const [events] = await dataSource.query(`SELECT count(*)::int AS count FROM outbox WHERE event_type = 'referral.status-changed'`);
    expect(events.count).toBe(1000);
    expect(claimsBy.filter((claims) => claims.mine.length > 0).length).toBeGreaterThan(1);
  }, 60_000);

  it('lets exactly one of ten nurses racing for the same referral have it', async () => {
    await seed(1);
    const [{ id }]: Array<{ id: string }> = await dataSource.query('SELECT id FROM referrals');
    const team = Array.from({ length: 10 }, (_, index) => `rn-race-${index}`);
    await Promise.all(team.map((nurseId) => registerNurse(nurseId)));
    const { workflow } = services();

    const outcomes = await Promise.all(team.map((actorId) => codeOf(workflow.claim(id, { actorId }))));
    expect(outcomes.filter((outcome) => outcome === 'ok')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome === ReferralErrorCode.AlreadyClaimed)).toHaveLength(9);
  });

  it('takes the next referral by priority, then due time', async () => {
    await seed(6);
    await registerNurse('rn-order');
    const { workflow } = services();
    const taken = [];
    for (let next = await workflow.claimNext('rn-order'); next !== null; next = await workflow.claimNext('rn-order')) {
      taken.push(next);
    }
    const rank = { urgent: 0, high: 1, routine: 2 };
    const expected = [...taken].sort((a, b) => rank[a.priority] - rank[b.priority] || a.dueAt.getTime() - b.dueAt.getTime());
    expect(taken.map((referral) => referral.id)).toEqual(expected.map((referral) => referral.id));
  });

  it('gives an expired claim to the next nurse, refuses the old holder’s renewal, and the sweeper returns the rest to the queue', async () => {
    await seed(2);
    await registerNurse('rn-quiet');
    await registerNurse('rn-next');
    const { workflow, worker } = services({ REFERRAL_LEASE_SECONDS: '1' });
    const first = await workflow.claimNext('rn-quiet');
    const second = await workflow.claimNext('rn-quiet');
    expect(first && second).toBeTruthy();
    expect(await workflow.claimNext('rn-next')).toBeNull();

    await new Promise((resolve) => setTimeout(resolve, 1100));
    const takenOver = await workflow.claimNext('rn-next');
    expect(takenOver?.claimedBy).toBe('rn-next');
    expect(await codeOf(workflow.renew(takenOver?.id ?? '', 'rn-quiet'))).toBe(ReferralErrorCode.NotClaimant);

    expect(await worker.runOnce()).toMatchObject({ leasesExpired: 1 });
    const rest: Array<{ status: string; claimed_by: string | null }> = await dataSource.query('SELECT status, claimed_by FROM referrals WHERE id <> $1', [takenOver?.id]);
    expect(rest).toEqual([{ status: 'new', claimed_by: null }]);
    const reasons: Array<{ reason: string; actor_id: string }> = await dataSource.query(
      `SELECT reason, actor_id FROM referral_history WHERE reason IN ('lease-expired', 'lease-expired-takeover') ORDER BY id`,
    );
    expect(reasons).toEqual([
      { reason: 'lease-expired-takeover', actor_id: 'rn-next' },
      { reason: 'lease-expired', actor_id: 'system' },
    ]);
    const notices: Array<{ payload: string }> = await dataSource.query(`SELECT payload FROM outbox WHERE event_type = 'notification.requested'`);
    expect(notices.map((row) => (JSON.parse(row.payload) as { data: { recipientId: string } }).data.recipientId)).toEqual(['rn-quiet', 'rn-quiet']);
  });

  it('offers a referral in another language to a nurse who speaks it, and to anyone after the language hold', async () => {
    await seed(1, { language: 'es' });
    await registerNurse('rn-en');
    await registerNurse('rn-es', { languages: ['en', 'es'] });
    expect(await services().workflow.claimNext('rn-en')).toBeNull();
    expect((await services({ REFERRAL_LANGUAGE_HOLD_MINUTES: '0' }).workflow.claimNext('rn-en'))?.claimedBy).toBe('rn-en');

    await dataSource.query(`UPDATE referrals SET status = 'new', claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL`);
    expect((await services().workflow.claimNext('rn-es'))?.language).toBe('es');
  });

  it('fires each due SLA timer once when two instances run at the same moment', async () => {
    await seed(40, { dueInMinutes: -120 });
    await dataSource.query(`INSERT INTO referral_timers (referral_id, step, fire_at) SELECT id, 'breach', due_at FROM referrals`);
    await registerNurse('sup-kim', { role: 'supervisor' });
    const [a, b] = [services().worker, services().worker];
    const [first, second] = await Promise.all([a.runOnce(), b.runOnce()]);
    expect(first.timersFired + second.timersFired).toBe(40);
    const [breaches] = await dataSource.query(`SELECT count(*)::int AS count FROM outbox WHERE event_type = 'referral.sla-escalated'`);
    expect(breaches.count).toBe(40);
    const [marked] = await dataSource.query('SELECT count(*)::int AS count FROM referrals WHERE breached_at IS NOT NULL');
    expect(marked.count).toBe(40);
  });
});
