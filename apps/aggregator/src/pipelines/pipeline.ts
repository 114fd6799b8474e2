import type { StreamingClient, StreamsLogger } from '@switchboard/streams';
import type { Pool } from 'pg';
import type { RefusalType } from './data-quality-dead-letter';

/** What every aggregator pipeline gets from the app: connections and the validated settings. */
export interface PipelineContext {
  client: StreamingClient;
  pool: Pool;
  logger: StreamsLogger;
  /** Prefix of the streams library's checkpoint tables (migrations create `streams_*`). */
  tablePrefix: string;
  /** Consumer groups are `<groupPrefix>.<pipeline>` (e.g. `aggregator.energy`). */
  groupPrefix: string;
  /** Event-time grace of every window, ms. */
  graceMs: number;
  /** A partition quiet this long follows the wall clock, so quiet entities' windows close on time. */
  idleMs: number;
  /** A call that started and never ended leaves the call state after this long (stream time); default 4 h. */
  maxCallAgeMs?: number;
  /**
   * How long (stream time, after end + grace) a final window takes late events, restating it (config.restateForMs).
   * Default: the horizon of ingest's default accepted past and future.
   */
  restateForMs?: number;
  /** Replays never idle (deterministic); live processing does. */
  mode: 'live' | 'replay';
  /** Topics are `<namespace>.<topic>` when set (several environments on one cluster). */
  topicNamespace?: string;
}

/** Inputs a pipeline refused since it started: `late` (beyond grace: PRODUCT.md's late_events) and `invalid`. */
export type RefusedCounts = Readonly<Record<RefusalType, number>>;

/** One consumer-group pipeline of the aggregator (energy, calls, agents…): started and closed by the app. */
export interface Pipeline {
  readonly name: string;
  start(): Promise<void>;
  close(): Promise<void>;
  /** What it refused (each a data_quality_events row and a dead letter); absent for pipelines that refuse nothing. */
  refused?(): RefusedCounts;
}

/** The settings a pipeline context takes from the aggregator's configuration. */
export type PipelineSettings = Pick<
  PipelineContext,
  'tablePrefix' | 'groupPrefix' | 'graceMs' | 'idleMs' | 'maxCallAgeMs' | 'restateForMs' | 'mode' | 'topicNamespace'
>;

/** The one place a context is put together (the app and `switchboard replay` both build one). */
export function pipelineContext(
  deps: Pick<PipelineContext, 'client' | 'pool' | 'logger'>,
  s: PipelineSettings,
): PipelineContext {
  return {
    ...deps,
    tablePrefix: s.tablePrefix,
    groupPrefix: s.groupPrefix,
    graceMs: s.graceMs,
    idleMs: s.idleMs,
    maxCallAgeMs: s.maxCallAgeMs,
    restateForMs: s.restateForMs,
    mode: s.mode,
    topicNamespace: s.topicNamespace,
  };
}
