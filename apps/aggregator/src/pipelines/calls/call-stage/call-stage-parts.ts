import { DEFAULT_MAX_FUTURE_MS, DEFAULT_MAX_PAST_MS, restatementHorizonMs, Topics } from '@switchboard/domain';
import { PartitionedStores, RepartitionBoundary, type RepartitionMessage } from '@switchboard/streams';
import { type CallRecord, type DataQualityItem, DEFAULT_MAX_CALL_AGE_MS, type SettledCall } from '../../../calls';
import { Refusals } from '../../data-quality-dead-letter';
import type { DataQualityRow } from '../../data-quality-sql';
import type { CallsHopValue } from '../calls-hop';
import { ByPartitionStamps, CallHops } from './call-hops';
import { CallStageClocks } from './call-stage-clock';
import type { QueueRow } from './calls-sql';

export interface CallsStageOptions {
  /** The input topic (default `events.calls`): refused events go to `<inputTopic>.dlq` with it as provenance. */
  inputTopic?: string;
  repartitionTopic: string;
  /** Partitions of the repartition topic (time markers go to each). */
  partitions: number;
  graceMs: number;
  idleMs: number;
  mode: 'live' | 'replay';
  /** A started call without an end this long after its start (stream time) is dropped; default 4 h (README). */
  maxCallAgeMs?: number;
  /**
   * How long (stream time) after its grace a final window still takes corrections (restatements): the horizon.
   * Settled calls are kept (compact) for as long, so a late event folds in as it would have in order. Default
   * `restatementHorizonMs` of ingest's default accepted past and future (≈ 7 days); the app passes its config's.
   */
  restateForMs?: number;
  clock?: () => number;
}

export type CallsStageResult = { readonly dq: DataQualityRow } | { readonly queue: QueueRow };

/** The options with their defaults, checked. */
export interface CallStageSettings {
  readonly inputTopic: string;
  readonly graceMs: number;
  readonly idleMs: number;
  readonly maxCallAgeMs: number;
  readonly restateForMs: number;
  readonly wall: () => number;
  /** Live mode with an idle period: quiet partitions follow the wall clock. */
  readonly idles: boolean;
}

function settingsOf(opts: CallsStageOptions): CallStageSettings {
  const restateForMs =
    opts.restateForMs ??
    restatementHorizonMs({ maxPastMs: DEFAULT_MAX_PAST_MS, maxFutureMs: DEFAULT_MAX_FUTURE_MS }, opts.graceMs);
  if (!(Number.isSafeInteger(restateForMs) && restateForMs >= 0))
    throw new Error(`calls stage: restateForMs must be a whole number of ms ≥ 0, got ${String(restateForMs)}`);
  return {
    inputTopic: opts.inputTopic ?? Topics.calls,
    graceMs: opts.graceMs,
    idleMs: opts.idleMs,
    maxCallAgeMs: opts.maxCallAgeMs ?? DEFAULT_MAX_CALL_AGE_MS,
    restateForMs,
    wall: opts.clock ?? Date.now,
    idles: opts.mode === 'live' && opts.idleMs > 0,
  };
}

/** What the call stage holds: its stores, its clocks, the boundary to stage 2 and what waits for the next drain. */
export class CallStageParts {
  readonly settings: CallStageSettings;
  /** Open calls: waiting, talking, or with a transition in a window not sealed yet (swept once per sealed window). */
  readonly calls = new PartitionedStores<CallRecord>();
  /**
   * Settled calls, compact, by `<S − grace>` at settling (KeyedStore keeps write order, so expiry stops at the first
   * one still needed): evicted once that is `restateForMs` behind, i.e. all their windows are beyond the horizon.
   */
  readonly settledCalls: PartitionedStores<SettledCall>;
  readonly emitted: RepartitionMessage<CallsHopValue>[] = [];
  readonly boundary: RepartitionBoundary<CallsHopValue>;
  readonly clocks: CallStageClocks;
  readonly results: CallsStageResult[] = [];
  readonly refusals = new Refusals((dq) => this.results.push({ dq }));
  private readonly byPartition = new ByPartitionStamps();

  constructor(opts: CallsStageOptions) {
    const s = settingsOf(opts);
    this.settings = s;
    this.settledCalls = new PartitionedStores<SettledCall>({ ttlMs: Math.max(s.restateForMs, 1) });
    this.boundary = new RepartitionBoundary<CallsHopValue>({
      keyBy: (_v, r) => r.key,
      timeGroup: this.byPartition.timeGroup,
      sink: this.emitted,
      idleMs: opts.mode === 'live' ? opts.idleMs : undefined,
      mode: opts.mode,
      clock: s.wall,
    });
    this.clocks = new CallStageClocks(this.boundary, {
      graceMs: s.graceMs,
      restateForMs: s.restateForMs,
      wall: s.wall,
    });
  }

  /** What `partition` sends stage 2 (through the boundary; `boundary.announce()` closes a batch). */
  hops(partition: number): CallHops {
    return new CallHops(partition, this.boundary, this.clocks, this.byPartition);
  }

  dq(tenant: string, item: DataQualityItem | Omit<DataQualityRow, 'tenant'>): void {
    this.results.push({ dq: { tenant, ...item } });
  }
}
