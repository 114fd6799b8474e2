import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from '@switchboard/service';

/** A request the API key guard let through: the tenant comes from the key, never from the body. */
export interface AuthenticatedRequest extends HttpRequest {
  tenant: string;
}

export const Tenant = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): string => ctx.switchToHttp().getRequest<AuthenticatedRequest>().tenant,
);
