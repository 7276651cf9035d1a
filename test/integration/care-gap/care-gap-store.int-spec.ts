import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UnitOfWork, openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import { ContextRepository, type DischargeRecord } from '../../../apps/care-gap/src/context/context.repository';
import { GapRepository, type NewGap } from '../../../apps/care-gap/src/gaps/gap.repository';
import { MIGRATIONS } from '../../../apps/care-gap/src/migrations';
import { RuleRepository } from '../../../apps/care-gap/src/rules/rule.repository';
import type { CareGapRule } from '../../../apps/care-gap/src/rules/rule-validation';

const newGap = (subject: string): NewGap => ({
  id: randomUUID(),
  subject,
  gapType: 'home-bp-monitor',
  ruleTrigger: 'conditions',
  severity: 'moderate',
  item: { system: 'HCPCS', code: 'A4670', display: 'Automatic blood pressure monitor' },
  homeItem: true,
  recommendedAction: 'Order a monitor',
  notificationTitle: 'Care gap: home device to arrange',
  coverage: { determination: 'unknown', benefitRule: null, planId: null, priorAuthorizationRequired: false, quantityLimit: null },
  explanation: { ruleId: 'bp-monitor-cardiovascular', ruleVersion: 1, matchedCodes: ['I10'], evidence: 'suspected', trigger: 'conditions' },
  teamId: 'nurses',
  sourceTaskId: null,
  correlationId: 'enc:LGH:V1',
});

const discharge = (subject: string, codes: string[], planId: string | null = 'NSHP-GOLD'): DischargeRecord => {
  const eventId = randomUUID();
  return {
    eventId,
    subject,
    planId,
    deceased: false,
    atFacility: false,
    disposition: '01',
    conditions: codes.map((code) => ({ code, codingSystem: 'ICD10', status: 'active', source: 'discharge', sourceEventId: eventId })),
  };
};

describe('care-gap store on PostgreSQL', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let gaps: GapRepository;
  let context: ContextRepository;
  let rules: RuleRepository;
  let unitOfWork: UnitOfWork;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'care-gap-store'), serviceName: 'care-gap-store', migrations: MIGRATIONS, poolSize: 4 });
    gaps = new GapRepository(dataSource);
    context = new ContextRepository();
    rules = new RuleRepository(dataSource);
    unitOfWork = new UnitOfWork(dataSource);
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  describe(GapRepository.name, () => {
    it('keeps one open gap per patient and type when two evaluations race, and allows a new one after closing', async () => {
      const results = await Promise.all(
        [1, 2].map(() =>
          dataSource.transaction(async (manager) => {
            const inserted = await gaps.insertIfNoneOpen(manager, newGap('pt-race'));
            await new Promise((resolve) => setTimeout(resolve, 50));
            return inserted;
          }),
        ),
      );
      expect(results.filter((result) => result !== null)).toHaveLength(1);
      const open = await dataSource.transaction((manager) => gaps.openForSubject(manager, 'pt-race'));
      expect(open).toHaveLength(1);

      await dataSource.transaction((manager) => gaps.changeStatus(manager, open[0], 'dismissed', 'nurse-rosa', 'patient declined'));
      const again = await dataSource.transaction((manager) => gaps.insertIfNoneOpen(manager, newGap('pt-race')));
      expect(again).not.toBeNull();
      expect(await dataSource.transaction((manager) => gaps.history(manager, open[0].id))).toEqual([
        expect.objectContaining({ from: null, to: 'open', actorId: 'system' }),
        expect.objectContaining({ from: 'open', to: 'dismissed', actorId: 'nurse-rosa', reason: 'patient declined' }),
      ]);
    });
  });

  describe('a gap opened where its patient\'s open gaps are known', () => {
    it('is written at commit with its opened transition, exactly as announced, in one statement', async () => {
      const statements: string[] = [];
      const announced = await unitOfWork.run(async (manager) => {
        await context.lockPatient(manager, 'pt-deferred');
        expect(await gaps.openForSubject(manager, 'pt-deferred')).toEqual([]);
        await recordStatements(manager, statements);
        return gaps.insertIfNoneOpen(manager, newGap('pt-deferred'));
      });
      expect(statements.filter((statement) => statement !== 'COMMIT')).toEqual(['care-gap:insert-opened-gaps']);
      const stored = await dataSource.transaction((manager) => gaps.openForSubject(manager, 'pt-deferred'));
      expect(stored).toEqual([announced]);
      expect(await dataSource.transaction((manager) => gaps.history(manager, stored[0].id))).toEqual([
        expect.objectContaining({ from: null, to: 'open', actorId: 'system', reason: 'opened by conditions' }),
      ]);
    });

    it('is refused without a statement when one of its type is open, and is seen by the transaction\'s later reads', async () => {
      const outcome = await unitOfWork.run(async (manager) => {
        await context.lockPatient(manager, 'pt-twice');
        await gaps.openForSubject(manager, 'pt-twice');
        const first = await gaps.insertIfNoneOpen(manager, newGap('pt-twice'));
        const statements: string[] = [];
        const stop = await recordStatements(manager, statements);
        const second = await gaps.insertIfNoneOpen(manager, newGap('pt-twice'));
        const remembered = await gaps.openForSubject(manager, 'pt-twice');
        stop();
        const found = await gaps.findById(manager, first?.id ?? '');
        return { first, second, statements, remembered, found };
      });
      expect(outcome.second).toBeNull();
      expect(outcome.statements).toEqual([]);
      expect(outcome.remembered).toEqual([outcome.first]);
      expect(outcome.found).toEqual(outcome.first);
    });

    it('fails its transaction, storing nothing, if an open gap of its type appeared after all', async () => {
      const conflicting = unitOfWork.run(async (manager) => {
        // Read without the patient's lock, so another transaction can open a gap of the type meanwhile.
        await gaps.openForSubject(manager, 'pt-stale-2');
        await dataSource.transaction((other) => gaps.insertIfNoneOpen(other, newGap('pt-stale-2')));
        return gaps.insertIfNoneOpen(manager, newGap('pt-stale-2'));
      });
      await expect(conflicting).rejects.toMatchObject({ code: '23505' });
      expect(await dataSource.transaction((manager) => gaps.openForSubject(manager, 'pt-stale-2'))).toHaveLength(1);
    });
  });

  describe(ContextRepository.name, () => {
    it('records the discharges of many patients in one statement, and a later recordDischarge of one of those events does nothing', async () => {
      const statements: string[] = [];
      const discharges = [discharge('pt-run-a', ['J44.9', 'E11.9']), discharge('pt-run-b', ['I10'], null)];
      const loaded = await unitOfWork.run(async (manager) => {
        await recordStatements(manager, statements);
        await context.recordDischarges(manager, discharges);
        await context.recordDischarge(manager, discharges[0]);
        return context.loadContext(manager, 'pt-run-a');
      });
      expect(statements.filter((statement) => statement !== 'COMMIT')).toEqual(['care-gap:record-discharges', 'care-gap:load-contexts']);
      expect(loaded).toMatchObject({ planId: 'NSHP-GOLD', conditions: ['E11.9', 'J44.9'] });
      expect(await context.loadContext(dataSource.manager, 'pt-run-b')).toMatchObject({ planId: null, conditions: ['I10'] });
      await expect(unitOfWork.run((manager) => context.recordDischarges(manager, [discharges[0], discharge('pt-run-a', ['I10'])]))).rejects.toThrow('one discharge per patient');
    });

    it('answers a context read from the transaction\'s earlier read until the transaction changes the patient', async () => {
      const reads = await unitOfWork.run(async (manager) => {
        await context.recordDischarge(manager, discharge('pt-memo', ['I10']));
        await context.loadContexts(manager, ['pt-memo']);
        const statements: string[] = [];
        const stop = await recordStatements(manager, statements);
        const remembered = await context.loadContext(manager, 'pt-memo');
        await context.upsertDevices(manager, 'pt-memo', [{ system: 'HCPCS', code: 'A4670', present: true, flaggedByPharmacist: false, source: 'pharmacist' }]);
        const changed = await context.loadContext(manager, 'pt-memo');
        stop();
        return { statements, remembered, changed };
      });
      expect(reads.statements).toEqual([expect.stringContaining('INSERT INTO patient_devices'), 'care-gap:load-contexts']);
      expect(reads.remembered.devices.size).toBe(0);
      expect(reads.changed.devices.get('HCPCS:A4670')).toEqual({ present: true, flaggedByPharmacist: false });
    });

    it("records a run's pharmacist tasks in one statement at commit, and a task's team read in the run sees them", async () => {
      const statements: string[] = [];
      const teams = await unitOfWork.run(async (manager) => {
        await recordStatements(manager, statements);
        await context.recordPharmacyTask(manager, 'task-run-1', 'pt-tasks', 'team-a');
        await context.recordPharmacyTask(manager, 'task-run-2', 'pt-tasks', null);
        const beforeCommit = statements.length;
        await context.recordPharmacyTask(manager, 'task-run-1', 'pt-tasks', 'team-b');
        return { beforeCommit, team: await context.teamOfTask(manager, 'task-run-1') };
      });
      expect(teams).toEqual({ beforeCommit: 0, team: 'team-b' });
      expect(statements.filter((statement) => statement !== 'COMMIT')).toEqual([
        'care-gap:record-pharmacy-tasks',
        'care-gap:record-pharmacy-tasks',
        'SELECT team_id FROM pharmacy_tasks WHERE task_id = $1',
      ]);

      const run: string[] = [];
      await unitOfWork.run(async (manager) => {
        await recordStatements(manager, run);
        for (let index = 0; index < 20; index += 1) {
          await context.recordPharmacyTask(manager, `task-batch-${index}`, `pt-batch-${index}`, 'team-c');
        }
      });
      expect(run.filter((statement) => statement !== 'COMMIT')).toEqual(['care-gap:record-pharmacy-tasks']);
      expect(await context.teamOfTask(dataSource.manager, 'task-batch-19')).toBe('team-c');
      expect(await context.teamOfTask(dataSource.manager, 'task-run-2')).toBeNull();
    });

    it('finds dry-run candidates by category range and by prefix, with or without the dot, among active conditions only', async () => {
      await dataSource.transaction(async (manager) => {
        await context.upsertConditions(manager, 'pt-a', [{ code: 'I25.10', codingSystem: 'ICD10', status: 'active', source: 'test', sourceEventId: null }]);
        await context.upsertConditions(manager, 'pt-b', [{ code: 'I5022', codingSystem: 'ICD10', status: 'active', source: 'test', sourceEventId: null }]);
        await context.upsertConditions(manager, 'pt-c', [{ code: 'I26.99', codingSystem: 'ICD10', status: 'active', source: 'test', sourceEventId: null }]);
        await context.upsertConditions(manager, 'pt-d', [{ code: 'I21.4', codingSystem: 'ICD10', status: 'resolved', source: 'test', sourceEventId: null }]);
        await context.upsertDevices(manager, 'pt-e', [{ system: 'HCPCS', code: 'A4670', present: false, flaggedByPharmacist: true, source: 'test' }]);
      });
      const candidates = await context.candidateSubjects(
        dataSource.manager,
        { system: 'ICD10', ranges: [{ from: 'I20', to: 'I25' }], prefixes: ['I50.2'] },
        { system: 'HCPCS', code: 'A4670' },
        100,
      );
      expect(candidates).toEqual(['pt-a', 'pt-b', 'pt-e']);
    });

    it('keeps a pharmacist flag until the device is reported present', async () => {
      await dataSource.transaction(async (manager) => {
        await context.upsertDevices(manager, 'pt-f', [{ system: 'HCPCS', code: 'E0607', present: false, flaggedByPharmacist: true, source: 'pharmacist-flag' }]);
        await context.upsertDevices(manager, 'pt-f', [{ system: 'HCPCS', code: 'E0607', present: false, flaggedByPharmacist: false, source: 'context-feed' }]);
      });
      expect((await context.loadContext(dataSource.manager, 'pt-f')).devices.get('HCPCS:E0607')).toEqual({ present: false, flaggedByPharmacist: true });
      await dataSource.transaction((manager) =>
        context.upsertDevices(manager, 'pt-f', [{ system: 'HCPCS', code: 'E0607', present: true, flaggedByPharmacist: false, source: 'context-feed' }]),
      );
      expect((await context.loadContext(dataSource.manager, 'pt-f')).devices.get('HCPCS:E0607')).toEqual({ present: true, flaggedByPharmacist: false });
    });
  });

  describe(RuleRepository.name, () => {
    it('refuses a version that already exists and keeps the transaction usable', async () => {
      const rule = { id: 'rule-x', version: 1, enabled: true } as CareGapRule;
      const outcome = await dataSource.transaction(async (manager) => {
        const first = await rules.insertVersion(manager, rule, 'dr-lee', 'first');
        const duplicate = await rules.insertVersion(manager, rule, 'dr-kim', 'again');
        const next = await rules.insertVersion(manager, { ...rule, version: 2, enabled: false }, 'dr-kim', 'retired');
        return { first, duplicate, next };
      });
      expect(outcome).toEqual({ first: true, duplicate: false, next: true });
      expect((await rules.versionsOf('rule-x')).map((version) => [version.version, version.actorId, version.enabled])).toEqual([
        [2, 'dr-kim', false],
        [1, 'dr-lee', true],
      ]);
      expect((await rules.currentVersions()).find((version) => version.ruleId === 'rule-x')?.version).toBe(2);
    });
  });
});
