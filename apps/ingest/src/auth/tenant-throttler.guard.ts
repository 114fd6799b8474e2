import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/** Rate limit per tenant (not per IP): runs after ApiKeyGuard, which put the tenant on the request. */
@Injectable()
export class TenantThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `tenant:${String(req.tenant)}`;
  }
}
