import type { DashboardClaims } from '@switchboard/domain';
import type { HttpRequest as ServiceHttpRequest } from '@switchboard/service';

export type { HttpResponse } from '@switchboard/service';

export interface HttpRequest extends ServiceHttpRequest {
  query?: Record<string, unknown>;
  /** Set by DashboardAuthGuard: the verified token's claims. The tenant comes from here only. */
  dashboard?: DashboardClaims & { tokenId: string };
}
