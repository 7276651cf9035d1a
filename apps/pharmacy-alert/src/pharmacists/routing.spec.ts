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

  it.each(['SPA', 'spa', 'es', 'Spanish', 'SPA^Spanish^ISO639', '^Spanish'])('routes a patient the feed reports as %s to the Spanish-speaking pharmacist when the roster has no language', (feedLanguage) => {
    expect(routeTask({ assignedPharmacistId: null, assignedPharmacistActive: false, patientLanguage: null, feedLanguage, teamMembers: [member('ana', ['en']), member('luis', ['en', 'es'])] })).toEqual({
      assigneeId: 'luis',
      reason: 'language-match',
    });
  });

  it('lets the roster’s language win over the feed’s', () => {
    expect(
      routeTask({ assignedPharmacistId: null, assignedPharmacistActive: false, patientLanguage: 'vie', feedLanguage: 'SPA', teamMembers: [member('luis', ['es']), member('thu', ['vi'])] }),
    ).toEqual({ assigneeId: 'thu', reason: 'language-match' });
  });
});
