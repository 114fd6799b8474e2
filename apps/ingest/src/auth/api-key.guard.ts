import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import type { AuthenticatedRequest } from './tenant';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(ApiKeyAuthenticator) private readonly auth: ApiKeyAuthenticator) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    req.tenant = await this.auth.authenticate(req.headers.authorization);
    return true;
  }
}
