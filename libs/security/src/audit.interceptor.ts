import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { Observable, from, mergeMap, catchError, throwError } from 'rxjs';
import { createLogger } from '@sc/observability';
import { AuditLog, type AuditEntry } from './audit-log';
import type { Principal } from './roles';
import type { AuthenticatedRequest } from './auth.guard';
import { AUDIT_PATIENT_KEY, type PatientExtractor } from './decorators';

const PURPOSES = new Set(['TREAT', 'HPAYMT', 'HOPERAT', 'HRESCH', 'PUBHLTH', 'HCOMPL', 'ETREAT']);

/** The audit entry of an answered call; `body` is what the handler returned, if anything. */
export function auditEntryFor(request: AuthenticatedRequest, principal: Principal, status: number, extract: PatientExtractor | undefined, body: unknown): AuditEntry {
  const patients = extract ? extract(request, body).filter((ref): ref is string => typeof ref === 'string' && ref.length > 0) : [];
  const purposeHeader = String(request.headers['x-purpose-of-use'] ?? 'TREAT').toUpperCase();
  return {
    actorId: principal.id,
    actorRoles: principal.roles,
    action: `${request.method} ${(request.route as { path?: string } | undefined)?.path ?? request.path}`,
    resource: request.originalUrl.split('?')[0],
    patientRefs: [...new Set(patients)],
    purpose: PURPOSES.has(purposeHeader) ? purposeHeader : 'TREAT',
    outcome: status,
  };
}

/**
 * Records every authenticated API call (who, which patients, what, when, purpose, outcome) in the
 * service's audit log before the answer leaves; a call whose audit entry cannot be written fails
 * rather than going unrecorded.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = createLogger(AuditInterceptor.name);

  constructor(
    private readonly audit: AuditLog,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') {
      return next.handle();
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!request.principal) {
      return next.handle();
    }
    const extract = this.reflector.get<PatientExtractor | undefined>(AUDIT_PATIENT_KEY, context.getHandler());
    const record = (status: number, body: unknown): Promise<void> => {
      const principal = request.principal;
      return principal ? this.audit.append(auditEntryFor(request, principal, status, extract, body)) : Promise.resolve();
    };
    return next.handle().pipe(
      mergeMap((body: unknown) => from(record(context.switchToHttp().getResponse<Response>().statusCode, body).then(() => body))),
      catchError((error: unknown) => {
        // The exception filters decide the status after this point: record the refused call once its answer is sent.
        const response = context.switchToHttp().getResponse<Response>();
        response.once('finish', () => {
          record(response.statusCode, undefined).catch((auditError: unknown) => this.logger.error({ err: auditError }, 'audit entry not written'));
        });
        return throwError(() => error);
      }),
    );
  }
}
