import { randomUUID } from 'node:crypto';
import { UnitOfWork, openDatabase, type DataSource } from '@sc/persistence';
import { databaseUrl, dropRunDatabases, newRunId } from '@sc/testing';
import { MIGRATIONS } from '../../../apps/pharmacy-alert/src/migrations';
import { PharmacistRepository } from '../../../apps/pharmacy-alert/src/pharmacists/pharmacist.repository';
import { routeTask } from '../../../apps/pharmacy-alert/src/pharmacists/routing';
import { TaskRepository } from '../../../apps/pharmacy-alert/src/tasks/task.repository';
import { insertRosterPatient } from './test-patients';

describe('pharmacy-alert routing within one transaction', () => {
  const runId = newRunId();
  let dataSource: DataSource;
  let pharmacists: PharmacistRepository;
  let tasks: TaskRepository;
  let unitOfWork: UnitOfWork;

  beforeAll(async () => {
    dataSource = await openDatabase({ url: databaseUrl(runId, 'pharmacy-routing'), serviceName: 'pharmacy-routing', migrations: MIGRATIONS, poolSize: 4 });
    pharmacists = new PharmacistRepository(dataSource);
    tasks = new TaskRepository(dataSource);
    unitOfWork = new UnitOfWork(dataSource);
    for (const id of ['pharm-b1', 'pharm-b2']) {
      await pharmacists.upsert(id, { teamId: 'team-b', role: 'pharmacist', languages: ['en'] });
    }
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await dropRunDatabases(runId);
  });

  it("counts the tasks a transaction already assigned, so a run of discharges spreads over the team", async () => {
    const patientId = await insertRosterPatient(dataSource);
    const assignees = await unitOfWork.run(async (manager) => {
      const chosen: Array<string | null> = [];
      for (let episode = 0; episode < 4; episode += 1) {
        const teamMembers = await pharmacists.teamMembers(manager, 'team-b');
        const { assigneeId } = routeTask({ assignedPharmacistId: null, assignedPharmacistActive: false, patientLanguage: 'en', teamMembers });
        chosen.push(assigneeId);
        const episodeKey = `enc:routing-${episode}`;
        await tasks.insert(manager, {
          id: randomUUID(),
          patientId,
          kind: 'discharge-call',
          episodeKey,
          correlationId: episodeKey,
          subject: `pt-${patientId}`,
          priority: 'routine',
          dischargedAt: new Date(),
          dueAt: new Date(Date.now() + 86_400_000),
          assigneeId,
          teamId: 'team-b',
          sourceEventId: randomUUID(),
          matchMethod: 'identifier',
          location: null,
        });
      }
      return chosen;
    });
    expect(assignees).toEqual(['pharm-b1', 'pharm-b2', 'pharm-b1', 'pharm-b2']);
  });

  it('takes a pharmacist nobody registered as active', async () => {
    expect(await pharmacists.isActive(dataSource.manager, 'nobody-registered')).toBe(true);
  });
});
