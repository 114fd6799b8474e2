/**
 * Nest injection tokens of the values only the aggregator provides. The Postgres pool (`PG_POOL`) comes from
 * `@switchboard/service`, the streaming client (`STREAMING_CLIENT`) from `@switchboard/streams/nest`.
 */
export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');
export const PIPELINE_RUNNER = Symbol('PIPELINE_RUNNER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
