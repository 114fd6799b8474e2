import type { StreamingClient } from '@switchboard/streams';
import type { CheckpointReader } from './checkpoint-reader';
import { readOffsetRanges } from './log-ranges';
import { ReplayError } from './replay-errors';
import type { Follower, InputPartition } from './replay-plan';
import { caughtUp, type InputProgress, inputProgress } from './replay-progress';

/**
 * Where the replay is. `inputs`: reading the events topics up to their targets; `outbox`: the relay publishes
 * what those checkpoints committed (the hop records, the update events); `followers`: the seeded groups that run
 * (the queues stage) read the hop topic up to its end; `done`.
 */
export type ReplayPhase = 'inputs' | 'outbox' | 'followers' | 'done';

export interface ReplayProgress extends InputProgress {
  phase: ReplayPhase;
  elapsedMs: number;
}

export interface AwaitRebuiltOptions {
  reader: CheckpointReader;
  client: StreamingClient;
  groupPrefix: string;
  inputs: readonly InputPartition[];
  followers: readonly Follower[];
  /** How often the checkpoint offsets are read (default 500 ms). */
  pollMs?: number;
  onProgress?: (p: ReplayProgress) => void;
  signal?: AbortSignal;
  /** Give up after this long (default: never). */
  timeoutMs?: number;
  /** When the pipelines were started (elapsedMs and the timeout count from here); default now. */
  startedAt?: number;
}

/**
 * Polls Postgres (the checkpoint offsets, not Kafka) until the pipelines have rebuilt everything the log held
 * when the replay began, in this order:
 * 1. every input partition is checkpointed at or past its target;
 * 2. every outbox row committed by then is published, so the hop topic holds all of stage 1's records;
 * 3. each follower has checkpointed its input up to the end that topic had after step 2;
 * 4. every outbox row committed by then (the followers' update events) is published.
 * Events arriving meanwhile are processed too but never waited for, so the wait ends under live traffic.
 */
export async function awaitRebuilt(o: AwaitRebuiltOptions): Promise<ReplayProgress> {
  const started = o.startedAt ?? Date.now();
  let phase: ReplayPhase = 'inputs';
  let outboxMark: bigint | undefined;
  let followerEnds: Map<string, ReadonlyMap<number, bigint>> | undefined;
  for (;;) {
    if (o.signal?.aborted) {
      throw new ReplayError(
        'replay interrupted: the tables are partly rebuilt; replay again, or start the aggregator to finish in live mode',
        { phase },
      );
    }
    const at = await o.reader.offsets(o.groupPrefix);
    const progress = inputProgress(o.inputs, at);
    if (phase === 'inputs' && progress.complete) {
      phase = 'outbox';
      outboxMark = await o.reader.outboxMark();
    }
    if (phase === 'outbox' && (await o.reader.unsentUpTo(outboxMark ?? 0n)) === 0) {
      phase = 'followers';
      followerEnds = await endsOf(o.client, o.followers);
    }
    if (
      phase === 'followers' &&
      o.followers.every((f) => caughtUp(f.group, f.topic, followerEnds?.get(f.topic) ?? new Map(), at))
    ) {
      outboxMark = await o.reader.outboxMark();
      phase = 'done';
    }
    if (phase === 'done' && (await o.reader.unsentUpTo(outboxMark ?? 0n)) === 0) {
      const finished = { ...progress, phase, elapsedMs: Date.now() - started };
      o.onProgress?.(finished);
      return finished;
    }
    o.onProgress?.({ ...progress, phase, elapsedMs: Date.now() - started });
    if (o.timeoutMs !== undefined && Date.now() - started > o.timeoutMs) {
      throw new ReplayError(`replay did not finish within ${o.timeoutMs} ms`, {
        phase,
        replayed: String(progress.replayed),
        total: String(progress.total),
      });
    }
    await sleep(o.pollMs ?? 500, o.signal);
  }
}

async function endsOf(client: StreamingClient, followers: readonly Follower[]) {
  const ranges = await readOffsetRanges(client, [...new Set(followers.map((f) => f.topic))]);
  return new Map(
    [...ranges].map(([topic, parts]) => [topic, new Map([...parts].map(([p, r]) => [p, r.end] as const))] as const),
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
