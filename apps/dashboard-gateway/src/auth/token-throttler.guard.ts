import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { HttpRequest } from '../http/http-types';

/** Rate limit per token (not per IP: dashboards share NATs): runs after DashboardAuthGuard. */
@Injectable()
export class TokenThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    return `token:${(req as unknown as HttpRequest).dashboard?.tokenId ?? 'none'}`;
  }
}
