import { SetMetadata, applyDecorators, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiQuery, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Principal, Role } from './roles';

export const ROLES_KEY = 'sc:roles';
export const PUBLIC_KEY = 'sc:public';
export const AUDIT_PATIENT_KEY = 'sc:audit-patient';
export const QUERY_TOKEN_KEY = 'sc:query-token';

/**
 * Who may call a route. Every route needs one (or @Public): the guard denies routes without a
 * policy. The roles also go into the OpenAPI document as `x-roles`, which the authorization test
 * reads to try every route with a role that must be refused.
 */
export function Roles(...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    ApiExtension('x-roles', roles),
    ApiUnauthorizedResponse({ description: 'No valid bearer token.' }),
    ApiForbiddenResponse({ description: `Only for: ${roles.join(', ')}.` }),
  );
}

/** No token needed: health, metrics, API documents. Never on a route that touches patient data. */
export function Public(): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension('x-public', true));
}

/**
 * Also accept the token as `?access_token=` on this route: browsers' EventSource cannot send an
 * Authorization header. Only for streams; a query string ends up in more logs than a header.
 */
export function AllowTokenInQuery(): MethodDecorator {
  return applyDecorators(SetMetadata(QUERY_TOKEN_KEY, true), ApiQuery({ name: 'access_token', required: false, description: 'Bearer token, for EventSource clients.' }));
}

/** Which patient(s) a route touched, read from the request and the response, for the audit log. */
export type PatientExtractor = (request: Request, response: unknown) => Array<string | null | undefined>;

export function AuditPatient(extract: PatientExtractor): MethodDecorator {
  return SetMetadata(AUDIT_PATIENT_KEY, extract);
}

/** `(@CurrentPrincipal() principal: Principal)`: who is calling, as the guard verified it. */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => {
  const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
  if (!request.principal) {
    throw new Error('CurrentPrincipal used on a route without authentication');
  }
  return request.principal;
});
