export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');
export const PG_POOL = Symbol('PG_POOL');
export const STREAMING_CLIENT = Symbol('STREAMING_CLIENT');
export const PIPELINE_RUNNER = Symbol('PIPELINE_RUNNER');
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
