export { ROLES, TEAM_SCOPED_ROLES, canSeeTeam, isRole, seesAllTeams, type Principal, type Role } from './roles';
export { JwtVerifier, TokenError, signDevelopmentToken, type JwtVerifierOptions } from './jwt-verifier';
export { AllowTokenInQuery, AuditPatient, CurrentPrincipal, Public, Roles, type PatientExtractor } from './decorators';
export { AuthGuard, type AuthenticatedRequest } from './auth.guard';
export { AuditLog, AuditLogMigration, CREATE_AUDIT_LOG, DROP_AUDIT_LOG, type AuditEntry, type AuditRecord } from './audit-log';
export { SecurityModule } from './security.module';
export { RATE_LIMIT_REDIS } from './rate-limit.guard';
export { securityHeaders } from './security-headers';
export {
  NoTeamScope,
  ScopeByResource,
  ScopeByTeam,
  ScopeFiltered,
  ScopeToSelf,
  TeamScopeGuard,
  VisibleTeams,
  visibleTo,
  type OwnerResolver,
  type ResourceOwners,
  type TeamScope,
} from './team-scope';
export { ownersBySql } from './owner-query';
