import { routeTask } from './routing';

const member = (id: string, languages: string[], openTasks = 0, role = 'pharmacist') => ({ id, role, languages, openTasks });

describe(routeTask.name, () => {
  it('routes to the patient’s assigned pharmacist when active', () => {
    expect(routeTask({ assignedPharmacistId: 'ana', assignedPharmacistActive: true, patientLanguage: 'es', teamMembers: [member('luis', ['es'])] })).toEqual({
      assigneeId: 'ana',
      reason: 'assigned-pharmacist',
    });
  });

  it('prefers a team pharmacist who speaks the patient’s language, least loaded first', () => {
    const decision = routeTask({
      assignedPharmacistId: null,
      assignedPharmacistActive: false,
      patientLanguage: 'es',
      teamMembers: [member('ana', ['en']), member('luis', ['en', 'es'], 5), member('marta', ['es'], 2), member('lead', ['es'], 0, 'team-lead')],
    });
    expect(decision).toEqual({ assigneeId: 'marta', reason: 'language-match' });
  });

  it('falls back to the team pool when nobody speaks the language', () => {
    expect(routeTask({ assignedPharmacistId: 'gone', assignedPharmacistActive: false, patientLanguage: 'vi', teamMembers: [member('ana', ['en'])] })).toEqual({
      assigneeId: null,
      reason: 'team-pool',
    });
  });
});
