import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId, recordStatements } from '@sc/testing';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { PharmacistRepository } from '../../../apps/pharmacy-alert/src/pharmacists/pharmacist.repository';
import { routeTask } from '../../../apps/pharmacy-alert/src/pharmacists/routing';

describe('pharmacy-alert routing within one transaction', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let pharmacists: PharmacistRepository;
  let unitOfWork: UnitOfWork;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'pharmacy-routing'), serviceName: 'pharmacy-routing', migrations: MIGRATIONS, poolSize: 4 });
    pharmacists = new PharmacistRepository(dataSource);
    unitOfWork = new UnitOfWork(dataSource);
    for (const id of ['pharm-b1', 'pharm-b2']) {
      await pharmacists.upsert(id, { teamId: 'team-b', role: 'pharmacist', languages: ['en'] });
    }
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  it('reads a team\'s workload once and counts the transaction\'s own assignments, so a run of tasks spreads over the team', async () => {
    const statements: string[] = [];
    const assignees = await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      const chosen: Array<string | null> = [];
      for (let task = 0; task < 4; task += 1) {
        const teamMembers = await pharmacists.teamMembers(manager, 'team-b');
        const { assigneeId } = routeTask({ assignedPharmacistId: null, assignedPharmacistActive: false, patientLanguage: 'en', teamMembers });
        chosen.push(assigneeId);
        if (assigneeId) {
          await pharmacists.countAssignment(manager, 'team-b', assigneeId);
        }
      }
      return chosen;
    });
    expect(assignees).toEqual(['pharm-b1', 'pharm-b2', 'pharm-b1', 'pharm-b2']);
    expect(statements.filter((statement) => statement.includes('FROM pharmacists'))).toHaveLength(1);
  });

  it('reads a pharmacist\'s status once per transaction', async () => {
    const statements: string[] = [];
    const answers = await unitOfWork.run(async (manager) => {
      await recordStatements(manager, statements);
      return [await pharmacists.isActive(manager, 'pharm-b1'), await pharmacists.isActive(manager, 'pharm-b1'), await pharmacists.isActive(manager, 'nobody-registered')];
    });
    expect(answers).toEqual([true, true, true]);
    expect(statements.filter((statement) => statement.includes('FROM pharmacists'))).toHaveLength(2);
  });
});
