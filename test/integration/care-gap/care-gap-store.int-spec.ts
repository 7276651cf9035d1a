import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { UnitOfWork, openDatabase } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
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

    it('opens a gap with its opened transition, and refuses another of its type, storing and returning nothing, even one opened meanwhile by another transaction', async () => {
      const outcome = await unitOfWork.run(async (manager) => {
        await context.lockPatient(manager, 'pt-twice');
        const first = await gaps.insertIfNoneOpen(manager, newGap('pt-twice'));
        const second = await gaps.insertIfNoneOpen(manager, newGap('pt-twice'));
        return { first, second, open: await gaps.openForSubject(manager, 'pt-twice') };
      });
      expect(outcome.second).toBeNull();
      expect(outcome.open).toEqual([outcome.first]);
      expect(await dataSource.transaction((manager) => gaps.history(manager, outcome.first?.id ?? ''))).toEqual([
        expect.objectContaining({ from: null, to: 'open', actorId: 'system', reason: 'opened by conditions' }),
      ]);

      const late = await unitOfWork.run(async (manager) => {
        // Read without the patient's lock, so another transaction can open a gap of the type meanwhile.
        expect(await gaps.openForSubject(manager, 'pt-stale')).toEqual([]);
        await dataSource.transaction((other) => gaps.insertIfNoneOpen(other, newGap('pt-stale')));
        return gaps.insertIfNoneOpen(manager, newGap('pt-stale'));
      });
      expect(late).toBeNull();
      expect(await dataSource.transaction((manager) => gaps.openForSubject(manager, 'pt-stale'))).toHaveLength(1);
    });
  });

  describe(ContextRepository.name, () => {
    it('records what a discharge says of its patient, keeping a known plan when the next discharge names none', async () => {
      await unitOfWork.run((manager) => context.recordDischarge(manager, discharge('pt-run-a', ['J44.9', 'E11.9'])));
      await unitOfWork.run((manager) => context.recordDischarge(manager, discharge('pt-run-a', ['I10'], null)));
      expect(await context.loadContext(dataSource.manager, 'pt-run-a')).toMatchObject({ planId: 'NSHP-GOLD', conditions: ['E11.9', 'I10', 'J44.9'] });
      expect(await context.loadContext(dataSource.manager, 'pt-unknown')).toMatchObject({ planId: null, conditions: [] });
    });

    it("keeps a pharmacist task's latest team", async () => {
      await unitOfWork.run(async (manager) => {
        await context.recordPharmacyTask(manager, 'task-run-1', 'pt-tasks', 'team-a');
        await context.recordPharmacyTask(manager, 'task-run-2', 'pt-tasks', null);
        await context.recordPharmacyTask(manager, 'task-run-1', 'pt-tasks', 'team-b');
      });
      expect(await context.teamOfTask(dataSource.manager, 'task-run-1')).toBe('team-b');
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
