import { SetMetadata } from '@nestjs/common';
import type { DashboardRole } from '@switchboard/domain';

/**
 * Who may call what, in one place (README "Dashboard gateway" repeats it):
 * - `analyst` (energy analyst, billing job): meter energy, the billing CSV, and queue statistics for reporting;
 * - `supervisor` (contact-centre wallboard): queue statistics;
 * - `supervisor` and `analyst`: the dashboards' own reads (alert thresholds, a meter's data-quality events);
 * - `operator` (runs the stack): none of the tenant's data endpoints, only the services panel (live channel).
 */
export const ENDPOINT_ROLES = {
  meterEnergy: ['analyst'],
  billingCsv: ['analyst'],
  queueStats: ['supervisor', 'analyst'],
  /** What the wallboard and the energy page read beside their channels: thresholds, a meter's data quality. */
  dashboardReads: ['supervisor', 'analyst'],
} as const satisfies Record<string, readonly DashboardRole[]>;

export const ROLES_KEY = 'dashboard:roles';

/** The roles a token needs for this handler (DashboardAuthGuard checks it after the signature). */
export const Roles = (roles: readonly DashboardRole[]) => SetMetadata(ROLES_KEY, roles);
