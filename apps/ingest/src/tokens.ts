/** DI tokens for the plain classes the Nest module wires (they carry no decorators themselves). */
export const INGEST_CONFIG = Symbol('IngestConfig');
export const PG_POOL = Symbol('PgPool');
export const INGEST_SERVICE = Symbol('IngestService');
