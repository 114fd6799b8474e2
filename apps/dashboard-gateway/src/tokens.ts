/** DI tokens for the plain values and classes the Nest module wires. */
export const GATEWAY_CONFIG = Symbol('GatewayConfig');
export const PG_POOL = Symbol('PgPool');
