import { escalationTargets, type TeamMember } from './escalation-targets';

describe(escalationTargets.name, () => {
  const team: TeamMember[] = [
    { recipientId: 'nurse-1', teamId: 'cardio', roles: ['nurse'] },
    { recipientId: 'lead-1', teamId: 'cardio', roles: ['nurse', 'team-lead'] },
    { recipientId: 'sup-1', teamId: 'cardio', roles: ['supervisor'] },
  ];

  it('escalates to the team leads', () => {
    expect(escalationTargets('user:nurse-1', { afterSeconds: 60, recipientId: null, toTeamLead: true }, team)).toEqual(['user:lead-1']);
  });

  it('falls back to supervisors when the team has no lead', () => {
    const noLead = team.filter((member) => member.recipientId !== 'lead-1');
    expect(escalationTargets('user:nurse-1', { afterSeconds: 60, recipientId: null, toTeamLead: true }, noLead)).toEqual(['user:sup-1']);
  });

  it('adds a named escalation recipient', () => {
    expect(escalationTargets('user:nurse-1', { afterSeconds: 60, recipientId: 'charge-nurse', toTeamLead: true }, team)).toEqual([
      'user:charge-nurse',
      'user:lead-1',
    ]);
  });

  it('re-notifies the original recipient when the rule names nobody or nobody is found', () => {
    expect(escalationTargets('user:nurse-1', { afterSeconds: 60, recipientId: null, toTeamLead: false }, team)).toEqual(['user:nurse-1']);
    expect(escalationTargets('team:cardio', { afterSeconds: 60, recipientId: null, toTeamLead: true }, [])).toEqual(['team:cardio']);
  });
});
