/**
 * The records and rows the processing engine reads and writes. Plain objects, no Kafka types: the
 * consumer loop turns what it fetched into `StreamRecord`s and hands them over in batches.
 */

/** One keyed record, as the engine sees it. `timestamp` is event time in epoch milliseconds (UTC). */
export interface StreamRecord<T> {
  key: string;
  value: T;
  timestamp: number;
  /** The partition the record was consumed from: the unit of state, stream time, snapshot and revocation. */
  partition: number;
  /** Kafka offset, carried through for provenance (late/dead-letter routing). */
  offset?: string;
  /** After a repartition hop: the upstream partition that produced this record (an input of the operator). */
  source?: number;
  /** After a repartition hop: the upstream partition's sequence number, used to drop repeats. */
  sequence?: number;
  /** Take `value` out of its window(s) instead of adding it. Needs an aggregator with `retract`. */
  retract?: boolean;
}

/** One window row for a sink: the aggregate of `key` over `[windowStart, windowEnd)`. */
export interface WindowRow<R> {
  key: string;
  windowStart: number;
  windowEnd: number;
  value: R;
  /** True from the row's closing emission on; never false again (only restatements follow it). */
  final: boolean;
  /** Grows by one at every emission of this row (1, 2, …); the last emission has the highest. */
  version: number;
  /** Restatements of the window so far: 0 until the first, then + 1 at each (see `restateForMs`). */
  revision: number;
  /** True only on a restatement emission: a record changed the window after its final row. */
  restated: boolean;
  partition: number;
}

/** A record that arrived after (some of) its windows had closed. It changed none of them. */
export interface LateRecord<T> {
  record: StreamRecord<T>;
  /** The operator's stream time when the record arrived. */
  streamTime: number;
  /** Starts of the windows the record belonged to but could no longer change. */
  missedWindowStarts: number[];
}

/** Anything with `push` is a sink; a plain array is the simplest one. */
export interface Sink<T> {
  push(item: T): unknown;
}

/** A wall clock in epoch ms. Injected so tests and replays control time. */
export type Clock = () => number;

/** `live` lets idle partitions advance with the wall clock; `replay` never does, so a replay is deterministic. */
export type TimeMode = 'live' | 'replay';
