import { SetMetadata } from '@nestjs/common';
import type { DashboardRole } from '@switchboard/domain';

/**
 * Who may read what, in one place for REST and live alike (README "Dashboard gateway" repeats it):
 * - `supervisor` (contact-centre wallboard): queue data and alerts;
 * - `analyst` (energy analyst, billing job): energy data, the billing CSV, and queue data and alerts for reporting;
 * - `operator` (runs the stack): the installation's operational data (services, lag), none of a tenant's.
 */
export const ROLE_MATRIX = {
  queueData: ['supervisor', 'analyst'],
  energyData: ['analyst'],
  billing: ['analyst'],
  alerts: ['supervisor', 'analyst'],
  /** The tenant's alert thresholds, which both dashboards colour by. */
  thresholds: ['supervisor', 'analyst'],
  operations: ['operator'],
} as const satisfies Record<string, readonly DashboardRole[]>;

export const ENDPOINT_ROLES = {
  meterEnergy: ROLE_MATRIX.energyData,
  billingCsv: ROLE_MATRIX.billing,
  queueStats: ROLE_MATRIX.queueData,
  alertThresholds: ROLE_MATRIX.thresholds,
  /** A meter's data-quality events: energy data. */
  meterDataQuality: ROLE_MATRIX.energyData,
} as const satisfies Record<string, readonly DashboardRole[]>;

/** The live channels by kind (`meter` is every `meter:<id>`): the same matrix as the REST reads of the same data. */
export const CHANNEL_ROLES = {
  queues: ROLE_MATRIX.queueData,
  alerts: ROLE_MATRIX.alerts,
  energy: ROLE_MATRIX.energyData,
  meter: ROLE_MATRIX.energyData,
  services: ROLE_MATRIX.operations,
  lag: ROLE_MATRIX.operations,
} as const satisfies Record<string, readonly DashboardRole[]>;

export const ROLES_KEY = 'dashboard:roles';

/** The roles a token needs for this handler (DashboardAuthGuard checks it after the signature). */
export const Roles = (roles: readonly DashboardRole[]) => SetMetadata(ROLES_KEY, roles);
