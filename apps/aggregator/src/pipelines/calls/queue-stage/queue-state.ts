import { DEFAULT_SLA_SECONDS } from '@switchboard/domain';
import { type CallFact, QUEUE_WINDOW_MS, queueWindowStart } from '../../../calls';

/**
 * A change of a queue's SLA: it takes effect at `time`, the queue's tenant's time in the call-stage partition that read
 * the queue's properties (the hop record's timestamp; call-stage/call-hops.ts); ties are ordered by source partition,
 * then sequence.
 */
export type SlaChange = [time: number, source: number, sequence: number, slaSeconds: number];

/** An answered fact in a window still open here, with its source: what a later-arriving SLA change re-judges. */
export type OpenAnswer = [source: number, fact: CallFact & { kind: 'answered' }];

/** What stage 2 keeps per queue besides its windows: the SLA and the waiting gauge. Plain JSON. */
export interface QueueState {
  /** The SLA of the newest change (what the queue says now); verdicts use `slas`. */
  slaSeconds: number;
  /**
   * The SLA changes still needed by open or restatable windows, in effect order (absent in older checkpoints:
   * `slaSeconds` always).
   */
  slas?: SlaChange[];
  /** Answered facts of windows not yet closed here (absent in older checkpoints: none). */
  answers?: OpenAnswer[];
  waiting: Array<[callId: string, startTs: number]>;
  /** Version of the last `queue_gauge` update sent. */
  gaugeVersion: number;
}

export function emptyQueue(): QueueState {
  return { slaSeconds: DEFAULT_SLA_SECONDS, slas: [], answers: [], waiting: [], gaugeVersion: 0 };
}

/** The end of the queue window `ts` falls in. */
export function windowEnd(ts: number): number {
  return queueWindowStart(ts) + QUEUE_WINDOW_MS;
}
