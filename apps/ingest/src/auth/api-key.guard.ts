import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { ApiKeyAuthenticator } from './api-key-authenticator';
import type { AuthenticatedRequest } from './tenant';

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(ApiKeyAuthenticator) private readonly auth: ApiKeyAuthenticator) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    // The socket's address unless the app is told to trust a proxy's X-Forwarded-For (Express `trust proxy`).
    req.tenant = await this.auth.authenticate(
      req.headers.authorization,
      (req as { ip?: string }).ip ?? req.socket.remoteAddress,
    );
    return true;
  }
}
