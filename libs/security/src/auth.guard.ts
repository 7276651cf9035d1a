import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { PUBLIC_KEY, QUERY_TOKEN_KEY, ROLES_KEY } from './decorators';
import { JwtVerifier, TokenError } from './jwt-verifier';
import type { Principal, Role } from './roles';

export type AuthenticatedRequest = Request & { principal?: Principal };

/**
 * Deny by default: a route is reachable only if it is @Public or the caller's verified token
 * carries one of the route's @Roles. Kafka handlers are not HTTP and pass through (the broker
 * connection is authenticated by its own SASL/SSL settings).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(JwtVerifier) private readonly verifier: JwtVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = this.tokenOf(request, this.reflector.getAllAndOverride<boolean>(QUERY_TOKEN_KEY, targets) === true);
    if (!token) {
      throw new UnauthorizedException('a bearer token is required');
    }
    try {
      request.principal = await this.verifier.verify(token);
    } catch (error) {
      throw new UnauthorizedException(error instanceof TokenError ? error.message : 'invalid bearer token');
    }
    const allowed = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!allowed) {
      throw new ForbiddenException('this route has no access policy');
    }
    if (!request.principal.roles.some((role) => allowed.includes(role))) {
      throw new ForbiddenException(`requires one of: ${allowed.join(', ')}`);
    }
    return true;
  }

  private tokenOf(request: AuthenticatedRequest, queryAllowed: boolean): string | undefined {
    const header = request.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      return header.slice('Bearer '.length).trim();
    }
    const query = (request.query as Record<string, unknown>).access_token;
    return queryAllowed && typeof query === 'string' ? query : undefined;
  }
}
