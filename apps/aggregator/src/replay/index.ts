/**
 * The replay's public entry point: the one file of the aggregator another app may import (the CLI's
 * `switchboard replay`; the rule is test/architecture/import-rules.spec.ts). A replay runs the aggregator's own
 * pipelines over the log, so it stays in the aggregator rather than in a lib; the CLI gets what it needs here:
 * the config it reads the same way the aggregator does, the scope check, the plan and run, the errors, the progress
 * it shows and the tables it names.
 */
export { type AggregatorConfig, loadAggregatorConfig } from '../config';
export { checkScope } from './aggregator-groups';
export type { ReplayPhase, ReplayProgress } from './await-rebuilt';
export { ReplayConfigError, ReplayRefusedError } from './replay-errors';
export { AGGREGATE_TABLES } from './reset';
export { previewReplay, type ReplaySummary, runReplay } from './run-replay';
