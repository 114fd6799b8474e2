/**
 * Nest injection tokens of the values only the gateway provides (not dashboard tokens: those are in
 * `@switchboard/domain`'s dashboard-token.ts). The Postgres pool (`PG_POOL`) comes from `@switchboard/service`.
 */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
