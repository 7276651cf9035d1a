/** Who can call what. `compliance` reads the audit log; `integration` is a system (feed, EHR, another service). */
export const ROLES = ['pharmacist', 'nurse', 'team-lead', 'supervisor', 'integration', 'admin', 'compliance'] as const;
export type Role = (typeof ROLES)[number];

/** Roles whose view of patient data is limited to the teams named in their token. */
export const TEAM_SCOPED_ROLES: readonly Role[] = ['pharmacist', 'nurse', 'team-lead'];

export interface Principal {
  /** Token subject: a user id, or a system's client id. */
  id: string;
  roles: Role[];
  /** Teams the principal works in (claim `teams`); scopes patient data for team-scoped roles. */
  teams: string[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Whether the principal sees every team's patients (no team scoping applies). */
export function seesAllTeams(principal: Principal): boolean {
  return principal.roles.some((role) => !TEAM_SCOPED_ROLES.includes(role));
}

/** Whether the principal may see work of this team. */
export function canSeeTeam(principal: Principal, teamId: string | null): boolean {
  return seesAllTeams(principal) || (teamId !== null && principal.teams.includes(teamId));
}
