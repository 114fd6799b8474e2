/** DI tokens for the plain values and classes the Nest module wires. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const PG_POOL = Symbol('PgPool');
export const SHUTDOWN_STATE = Symbol('ShutdownState');

/** Set when shutdown begins, so readiness fails while in-flight requests finish. */
export interface ShutdownState {
  shuttingDown: boolean;
}
