import {
  ForbiddenException,
  Inject,
  Injectable,
  NotFoundException,
  SetMetadata,
  applyDecorators,
  createParamDecorator,
  type CanActivate,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { createLogger } from '@sc/observability';
import { AuditLog } from './audit-log';
import { auditEntryFor } from './audit.interceptor';
import { AUDIT_PATIENT_KEY, PUBLIC_KEY, ROLES_KEY, type PatientExtractor } from './decorators';
import { TEAM_SCOPED_ROLES, seesAllTeams, type Principal, type Role } from './roles';

export const TEAM_SCOPE_KEY = 'sc:team-scope';

/** Who owns a resource: its teams, and people it is addressed to directly (a personal notification). */
export interface ResourceOwners {
  teams: ReadonlyArray<string | null>;
  people?: readonly string[];
}

/** Looks up a resource's owners by the id in the path; `undefined` when there is no such resource. */
export interface OwnerResolver {
  ownersOf(id: string): Promise<ResourceOwners | undefined>;
}

/**
 * The scope decision of a route whose roles include a team-scoped one (pharmacist, nurse, team lead):
 * - `resource`: the path names a patient or work item; another team's answers 404, like an unknown one.
 * - `team`: the route names a team (path or query); naming another team answers 403, naming none
 *   is refused too for a team-scoped caller.
 * - `self`: the path names the caller (their recipient settings); anyone else answers 403.
 * - `filtered`: a list; the handler narrows it with `@VisibleTeams()`.
 * - `none`: touches no patient or work item (a plan's benefits, the pharmacist directory); the reason is
 *   published in the OpenAPI document and reviewed in the walk test's exception list.
 * Roles that see every team (supervisor, admin, integration, compliance) pass every decision: that is
 * the documented exception list (`TEAM_SCOPED_ROLES` in roles.ts).
 */
export type TeamScope =
  | { kind: 'resource'; param: string; resolver: Type<OwnerResolver> }
  | { kind: 'team'; param: string; in: 'path' | 'query' }
  | { kind: 'self'; param: string }
  | { kind: 'filtered' }
  | { kind: 'none'; reason: string };

function scoped(scope: TeamScope): MethodDecorator & ClassDecorator {
  const published = scope.kind === 'resource' ? { kind: scope.kind, param: scope.param } : scope;
  return applyDecorators(SetMetadata(TEAM_SCOPE_KEY, scope), ApiExtension('x-team-scope', published));
}

/** The path parameter `param` names a patient or work item whose owners `resolver` looks up. */
export const ScopeByResource = (resolver: Type<OwnerResolver>, param = 'id') => scoped({ kind: 'resource', param, resolver });
/** The route names a team in its path or query. */
export const ScopeByTeam = (param: string, where: 'path' | 'query') => scoped({ kind: 'team', param, in: where });
/** The path parameter names the caller. */
export const ScopeToSelf = (param: string) => scoped({ kind: 'self', param });
/** A list the handler narrows to `@VisibleTeams()`. */
export const ScopeFiltered = () => scoped({ kind: 'filtered' });
/** No patient or work item behind this route; say why. */
export const NoTeamScope = (reason: string) => scoped({ kind: 'none', reason });

export type ScopedRequest = Request & { principal?: Principal; visibleTeams?: readonly string[] };

/** The teams whose data the caller may see, or `undefined` for every team. */
export const VisibleTeams = createParamDecorator((_data: unknown, context: ExecutionContext): readonly string[] | undefined => {
  const request = context.switchToHttp().getRequest<ScopedRequest>();
  if (!request.principal) {
    throw new Error('VisibleTeams used on a route without authentication');
  }
  return seesAllTeams(request.principal) ? undefined : request.principal.teams;
});

export function visibleTo(principal: Principal, owners: ResourceOwners): boolean {
  return seesAllTeams(principal) || owners.teams.some((team) => team !== null && principal.teams.includes(team)) || (owners.people ?? []).includes(principal.id);
}

/**
 * Enforces the route's team scope after authentication. A route open to a team-scoped role without a
 * scope decision is refused outright (and fails the walk test), so no route opts out by omission.
 */
@Injectable()
export class TeamScopeGuard implements CanActivate {
  private readonly logger = createLogger(TeamScopeGuard.name);

  constructor(
    private readonly reflector: Reflector,
    @Inject(ModuleRef) private readonly modules: ModuleRef,
    private readonly audit: AuditLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    try {
      return await this.decide(context);
    } catch (refusal) {
      // A refused call never reaches the audit interceptor: it is recorded here, once answered.
      const request = context.switchToHttp().getRequest<ScopedRequest>();
      const response = context.switchToHttp().getResponse<Response>();
      const principal = request.principal;
      if (principal) {
        const extract = this.reflector.get<PatientExtractor | undefined>(AUDIT_PATIENT_KEY, context.getHandler());
        response.once('finish', () => {
          this.audit.append(auditEntryFor(request, principal, response.statusCode, extract, undefined)).catch((error: unknown) => this.logger.error({ err: error }, 'audit entry not written'));
        });
      }
      throw refusal;
    }
  }

  private async decide(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets) ?? [];
    const scope = this.reflector.getAllAndOverride<TeamScope | undefined>(TEAM_SCOPE_KEY, targets);
    const request = context.switchToHttp().getRequest<ScopedRequest>();
    const principal = request.principal;
    if (!principal) {
      return false;
    }
    if (!scope) {
      if (roles.some((role) => TEAM_SCOPED_ROLES.includes(role))) {
        throw new ForbiddenException('this route has no team-scope decision');
      }
      return true;
    }
    if (seesAllTeams(principal)) {
      return true;
    }
    switch (scope.kind) {
      case 'resource': {
        const id = (request.params as Record<string, string | undefined>)[scope.param];
        const owners = id === undefined ? undefined : await this.modules.get(scope.resolver, { strict: false }).ownersOf(id);
        if (!owners || !visibleTo(principal, owners)) {
          throw new NotFoundException('not found');
        }
        return true;
      }
      case 'team': {
        const source = (scope.in === 'path' ? request.params : request.query) as Record<string, unknown>;
        const team = source[scope.param];
        if (typeof team !== 'string' || !principal.teams.includes(team)) {
          throw new ForbiddenException(`name one of your teams in ${scope.param}`);
        }
        return true;
      }
      case 'self':
        if ((request.params as Record<string, string | undefined>)[scope.param] !== principal.id) {
          throw new ForbiddenException('only your own');
        }
        return true;
      case 'filtered':
      case 'none':
        return true;
    }
  }
}
