import type { StreamingClient, StreamsLogger } from '@switchboard/streams';
import type { Pool } from 'pg';
import type { AggregatorConfig } from '../config';
import { type ReplayLock, tryReplayLock } from '../deployment-lock/deployment-lock';
import { describeHolders } from '../deployment-lock/lock-holders';
import { aggregatorPipelines } from '../pipelines';
import { pipelineContext } from '../pipelines/pipeline';
import { type PipelineFactory, PipelineRunner } from '../pipelines/pipeline-runner';
import { type AggregatorGroup, aggregatorGroups, checkScope, type GroupScope, scopeTopics } from './aggregator-groups';
import { awaitRebuilt, type ReplayProgress } from './await-rebuilt';
import { CheckpointReader } from './checkpoint-reader';
import { aggregatorGroupsInKafka, refuseWhileActive } from './live-groups';
import { readOffsetRanges } from './log-ranges';
import { ReplayRefusedError } from './replay-errors';
import {
  followers,
  type InputPartition,
  inputTopics,
  planInputs,
  recordsToReplay,
  type SeedOffset,
  seedOffsets,
} from './replay-plan';
import { type AggregateTable, deleteKafkaGroups, resetTables } from './reset';
import { seedCheckpoints } from './seed';

/** The connections a replay uses (the CLI opens and closes them). */
export interface ReplayDeps {
  client: StreamingClient;
  pool: Pool;
  logger: StreamsLogger;
}

/** The aggregator's settings a replay runs with: the same as the live aggregator's, so it resumes from the result. */
export type ReplaySettings = Pick<
  AggregatorConfig,
  'groupPrefix' | 'topicNamespace' | 'graceMs' | 'idleMs' | 'tablePrefix'
> &
  Partial<Pick<AggregatorConfig, 'maxCallAgeMs' | 'restateForMs'>>;

export interface ReplayOptions {
  /** Default: the aggregator's pipelines (pipelines/index.ts). */
  pipelines?: readonly PipelineFactory[];
  /** Default: aggregatorGroups. */
  groups?: readonly AggregatorGroup[];
  pollMs?: number;
  onProgress?: (p: ReplayProgress) => void;
  /** Aborting stops the pipelines (final checkpoint) and rejects: the tables are then half rebuilt. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** What a replay would read now (nothing is changed). */
export interface ReplayPreview {
  scope: GroupScope;
  /** The Kafka consumer groups `<prefix>.*` that exist (none has members). */
  groups: string[];
  inputs: InputPartition[];
  records: bigint;
}

export interface ReplaySummary {
  /** Input records (Kafka messages of the events topics) replayed: Σ (target − start). */
  records: number;
  /** From the pipelines' start until everything was rebuilt (closing them excluded). */
  seconds: number;
  recordsPerSecond: number;
  rows: Record<AggregateTable, number>;
  seeded: SeedOffset[];
  deletedGroups: string[];
}

function scopeOf(settings: ReplaySettings): GroupScope {
  return checkScope({ groupPrefix: settings.groupPrefix, namespace: settings.topicNamespace });
}

/** Refuses while a group `<prefix>.*` has members; otherwise says what a replay would read, changing nothing. */
export async function previewReplay(
  deps: ReplayDeps,
  settings: ReplaySettings,
  groups: readonly AggregatorGroup[] = aggregatorGroups,
): Promise<ReplayPreview> {
  const scope = scopeOf(settings);
  const kafkaGroups = await aggregatorGroupsInKafka(deps.client, scope.groupPrefix);
  refuseWhileActive(kafkaGroups, scope.groupPrefix);
  const inputs = planInputs(groups, scope, await readOffsetRanges(deps.client, inputTopics(groups, scope, false)));
  return { scope, groups: kafkaGroups.map((g) => g.groupId), inputs, records: recordsToReplay(inputs) };
}

/**
 * `switchboard replay`: rebuilds every aggregate table from the events topics, like Kafka Streams' application
 * reset tool followed by a run to completion, in the live aggregator's groups (so it resumes from here).
 * 0. take the database's deployment lock exclusively, for the whole replay: refused while any live aggregator holds
 *    it (shared), and aggregators that start meanwhile wait for the end (deployment-lock.ts);
 * 1. refuse while any group `<prefix>.*` has members; capture the events topics' end offsets (the targets);
 * 2. one Postgres transaction: empty the aggregate tables, the scope's checkpoint rows and outbox rows;
 * 3. delete the Kafka consumer groups `<prefix>.*`;
 * 4. seed the groups whose input the aggregator writes itself (aggregatorGroups' seedAtEnd) at its current end;
 * 5. run the pipelines in mode 'replay' (never idle) until awaitRebuilt says done; close them (final checkpoint).
 */
export async function runReplay(
  deps: ReplayDeps,
  settings: ReplaySettings,
  options: ReplayOptions = {},
): Promise<ReplaySummary> {
  const groups = options.groups ?? aggregatorGroups;
  const lock = await replayLock(deps.pool);
  try {
    return await replayLocked(deps, settings, options, groups);
  } finally {
    await lock.release();
  }
}

/** The deployment lock, exclusive, or a refusal naming who holds it (nothing was changed). */
async function replayLock(pool: Pool): Promise<ReplayLock> {
  const taken = await tryReplayLock(pool);
  if ('lock' in taken) return taken.lock;
  const holders = describeHolders(taken.heldBy);
  if (taken.heldBy.some((h) => h.mode === 'exclusive'))
    throw new ReplayRefusedError(
      `refusing to replay: another replay runs on this database (its deployment lock is held by ${holders}); nothing was changed`,
      { sessions: taken.heldBy.length },
    );
  throw new ReplayRefusedError(
    `refusing to replay while aggregators are running: stop every instance that writes to this database first (its deployment lock is held by ${holders}); nothing was changed`,
    { sessions: taken.heldBy.length },
  );
}

async function replayLocked(
  deps: ReplayDeps,
  settings: ReplaySettings,
  options: ReplayOptions,
  groups: readonly AggregatorGroup[],
): Promise<ReplaySummary> {
  const preview = await previewReplay(deps, settings, groups);
  const { scope } = preview;
  const ctx = pipelineContext(deps, {
    ...settings,
    groupPrefix: scope.groupPrefix,
    topicNamespace: scope.namespace,
    mode: 'replay',
  });
  const runner = new PipelineRunner(ctx, options.pipelines ?? aggregatorPipelines);

  await resetTables(deps.pool, settings.tablePrefix, {
    groupPrefix: scope.groupPrefix,
    topics: scopeTopics(groups, scope),
  });
  await deleteKafkaGroups(deps.client, preview.groups);
  const seeded = seedOffsets(groups, scope, await readOffsetRanges(deps.client, inputTopics(groups, scope, true)));
  await seedCheckpoints(deps.pool, settings.tablePrefix, seeded);

  const reader = new CheckpointReader(deps.pool, settings.tablePrefix);
  const t0 = Date.now();
  // Progress is watched from the start: a pipeline's start (joining its group) may take much of a short replay.
  const stop = new AbortController();
  let seconds = 0;
  try {
    const rebuilt = awaitRebuilt({
      reader,
      client: deps.client,
      groupPrefix: scope.groupPrefix,
      inputs: preview.inputs,
      followers: followers(groups, scope, new Set(runner.names)),
      pollMs: options.pollMs,
      onProgress: options.onProgress,
      signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
      timeoutMs: options.timeoutMs,
      startedAt: t0,
    });
    rebuilt.catch(() => undefined); // awaited below; a failed start rejects it through `stop`
    await runner.start();
    seconds = (await rebuilt).elapsedMs / 1000;
  } finally {
    stop.abort();
    await runner.close();
  }
  const records = Number(preview.records);
  return {
    records,
    seconds,
    recordsPerSecond: seconds > 0 ? records / seconds : records,
    rows: await reader.rowCounts(),
    seeded,
    deletedGroups: preview.groups,
  };
}
