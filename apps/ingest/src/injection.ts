/**
 * Nest injection tokens for the plain classes the module wires (they carry no decorators themselves). The Postgres
 * pool (`PG_POOL`) comes from `@switchboard/service`.
 */
export const INGEST_CONFIG = Symbol('IngestConfig');
export const INGEST_SERVICE = Symbol('IngestService');
