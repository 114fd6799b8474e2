import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type DashboardRole, DashboardTokenError, dashboardTokenId, verifyDashboardToken } from '@switchboard/domain';
import type { GatewayConfig } from '../config';
import { ApiError } from '../http/api-error';
import type { HttpRequest } from '../http/http-types';
import { GATEWAY_CONFIG } from '../injection';
import { ROLES_KEY } from './roles';

/**
 * `Authorization: Bearer sbt_…` → the token's claims on the request (`req.dashboard`), or 401 (`unauthorized`, or
 * `expired` for a once-valid token); then the handler's roles (`@Roles`) → 403 `forbidden`. Messages never repeat
 * the token. The tenant of every query comes from these claims only.
 */
@Injectable()
export class DashboardAuthGuard implements CanActivate {
  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<HttpRequest>();
    const header = req.headers.authorization;
    if (!header) throw ApiError.unauthorized('missing Authorization header; send "Authorization: Bearer <token>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw ApiError.unauthorized('Authorization must be "Bearer <dashboard token>"');
    const token = match[1];
    try {
      const claims = verifyDashboardToken(this.config.tokenSecret, token);
      req.dashboard = { ...claims, tokenId: dashboardTokenId(token) };
    } catch (err) {
      if (!(err instanceof DashboardTokenError)) throw err;
      if (err.code === 'expired')
        throw ApiError.unauthorized('the token has expired; ask for a new dashboard link', 'expired');
      throw ApiError.unauthorized('the token is not a valid dashboard token of this installation');
    }
    const roles = this.reflector.getAllAndOverride<readonly DashboardRole[] | undefined>(ROLES_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (roles && !roles.includes(req.dashboard.role)) {
      throw new ApiError(
        403,
        'forbidden',
        `this endpoint needs the role ${roles.join(' or ')}; the token's role is ${req.dashboard.role}`,
      );
    }
    return true;
  }
}
