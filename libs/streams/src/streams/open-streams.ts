import { StreamsConfigError } from '../core/errors';

/** Why a consumer forgot an open stream: not seen for `streamTtlMs`, or one too many for `maxOpenStreams`. */
export type EvictionReason = 'idle' | 'limit';

export interface EvictedStream<S> {
  partition: number;
  streamId: string;
  stream: S;
  reason: EvictionReason;
}

export interface OpenStreamsOptions {
  /** A stream not seen for this long (wall-clock ms) is evicted; `Infinity` keeps streams until they end. */
  ttlMs: number;
  /** At most this many streams are held; beyond, the least recently seen go first. */
  maxStreams: number;
}

interface Held<S> {
  partition: number;
  streamId: string;
  stream: S;
  seenAt: number;
}

/** What a consumer holds: open streams now, and how many it evicted since it started, by reason. */
export interface OpenStreamStats {
  open: number;
  evicted: Record<EvictionReason, number>;
}

/**
 * The open streams a consumer keeps, per partition, each partition's least recently seen first. A stream ends by its
 * stream-end message (`remove`), by revocation of its partition (`dropPartition`), or by eviction: idle beyond the
 * TTL, or least recently seen while more than `maxStreams` are held. Eviction skips partitions the caller says it
 * may not touch now (a batch running there), so a stream is never evicted under its own running handlers. Its cost
 * is per evicted stream (times the partitions held, for the cap), never a scan of everything held.
 */
export class OpenStreams<S> {
  private readonly byPartition = new Map<number, Map<string, Held<S>>>();
  private held = 0;
  private readonly evictedBy: Record<EvictionReason, number> = { idle: 0, limit: 0 };

  constructor(private readonly opts: OpenStreamsOptions) {}

  get size(): number {
    return this.held;
  }

  get stats(): OpenStreamStats {
    return { open: this.held, evicted: { ...this.evictedBy } };
  }

  get(partition: number, streamId: string): S | undefined {
    return this.byPartition.get(partition)?.get(streamId)?.stream;
  }

  /** Adds a stream, or marks a held one seen at `now` (it moves to the end of its partition's eviction order). */
  seen(partition: number, streamId: string, stream: S, now: number): void {
    let streams = this.byPartition.get(partition);
    if (!streams) {
      streams = new Map();
      this.byPartition.set(partition, streams);
    }
    if (!streams.delete(streamId)) this.held++;
    streams.set(streamId, { partition, streamId, stream, seenAt: now });
  }

  /** The stream ended (its stream-end message): forgotten, not counted as evicted. */
  remove(partition: number, streamId: string): void {
    if (this.byPartition.get(partition)?.delete(streamId)) this.held--;
  }

  /** The partition was revoked: its streams, forgotten (another member goes on with them). */
  dropPartition(partition: number): S[] {
    const streams = this.byPartition.get(partition);
    if (!streams) return [];
    this.byPartition.delete(partition);
    this.held -= streams.size;
    return [...streams.values()].map((h) => h.stream);
  }

  all(): S[] {
    return [...this.byPartition.values()].flatMap((m) => [...m.values()].map((h) => h.stream));
  }

  clear(): void {
    this.byPartition.clear();
    this.held = 0;
  }

  /**
   * Removes and returns what must go at `now`: every stream not seen since `now − ttlMs`, then the least recently
   * seen (over the partitions) while more than `maxStreams` remain (`room`: make room for that many streams about to
   * be added) — only in partitions `mayEvict` allows.
   */
  evict(now: number, mayEvict: (partition: number) => boolean = () => true, room = 0): EvictedStream<S>[] {
    const out: EvictedStream<S>[] = [];
    const idleBefore = now - this.opts.ttlMs;
    const allowed = [...this.byPartition].filter(([p]) => mayEvict(p)).map(([, streams]) => streams);
    for (const streams of allowed) {
      for (const h of streams.values()) {
        if (h.seenAt > idleBefore) break; // seen-order: the rest of the partition was seen later
        this.take(streams, h, 'idle', out);
      }
    }
    while (this.held + room > this.opts.maxStreams) {
      let oldest: { streams: Map<string, Held<S>>; h: Held<S> } | undefined;
      for (const streams of allowed) {
        const head = streams.values().next().value;
        if (head && (!oldest || head.seenAt < oldest.h.seenAt)) oldest = { streams, h: head };
      }
      if (!oldest) break;
      this.take(oldest.streams, oldest.h, 'limit', out);
    }
    return out;
  }

  private take(streams: Map<string, Held<S>>, h: Held<S>, reason: EvictionReason, out: EvictedStream<S>[]): void {
    streams.delete(h.streamId);
    this.held--;
    this.evictedBy[reason]++;
    out.push({ partition: h.partition, streamId: h.streamId, stream: h.stream, reason });
  }
}

export const DEFAULT_STREAM_TTL_MS = 3_600_000;
export const DEFAULT_MAX_OPEN_STREAMS = 100_000;

/** The TTL and cap options, checked: a TTL > 0 ms (or Infinity), a cap of at least 1 stream. */
export function resolveOpenStreamsOptions(
  topic: string,
  o: { streamTtlMs?: number; maxOpenStreams?: number },
): OpenStreamsOptions {
  const ttlMs = o.streamTtlMs ?? DEFAULT_STREAM_TTL_MS;
  const maxStreams = o.maxOpenStreams ?? DEFAULT_MAX_OPEN_STREAMS;
  if (!(typeof ttlMs === 'number' && ttlMs > 0))
    throw new StreamsConfigError(
      `streamTtlMs of the consumer of "${topic}" must be > 0 ms (Infinity keeps streams until their stream-end); got ${String(ttlMs)}`,
    );
  if (!(Number.isInteger(maxStreams) && maxStreams >= 1))
    throw new StreamsConfigError(
      `maxOpenStreams of the consumer of "${topic}" must be a whole number ≥ 1; got ${String(maxStreams)}`,
    );
  return { ttlMs, maxStreams };
}
