import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { DashboardClaims } from '@switchboard/domain';
import type { HttpRequest } from '../http/http-types';

/** The verified token's claims (DashboardAuthGuard ran before): the only source of the tenant. */
export const Claims = createParamDecorator((_: unknown, ctx: ExecutionContext): DashboardClaims => {
  const claims = ctx.switchToHttp().getRequest<HttpRequest>().dashboard;
  if (!claims) throw new Error('Claims used on a handler without DashboardAuthGuard');
  return claims;
});
