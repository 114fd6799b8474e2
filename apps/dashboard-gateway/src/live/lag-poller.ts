import type { CheckpointRow, ConsumerLagFigures, PartitionRange } from './consumer-lag';
import { consumerLagRows } from './consumer-lag';
import type { FeedLogger } from './kafka-feed';

export interface LagSources {
  /** The groups' checkpoint rows, at most `limit`. */
  checkpoints(limit: number): Promise<CheckpointRow[]>;
  /** The topics' partition ranges; a topic that cannot be read is left out. */
  ranges(topics: readonly string[]): Promise<Map<string, PartitionRange[]>>;
}

/** Where the figures go: the whole set of one round, and whether it is complete (so absent rows were removed). */
export type LagSink = (rows: ConsumerLagFigures[], complete: boolean) => void;

/**
 * Every `intervalMs`: the checkpoints from Postgres, then the end offsets from Kafka (read after, so a lag is never
 * below zero for a partition being consumed), then the figures into the sink. One round at a time: a slow round
 * delays the next instead of stacking. A failing round keeps the last figures; the logger hears the first failure
 * of an outage and the recovery.
 */
export class LagPoller {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private failingSince: number | undefined;
  /** Rounds that completed (tests wait on it). */
  rounds = 0;

  constructor(
    private readonly sources: LagSources,
    private readonly sink: LagSink,
    private readonly opts: { intervalMs: number; maxRows: number },
    private readonly logger: FeedLogger,
    private readonly now: () => number = Date.now,
  ) {}

  /** One round now (awaited), then one every `intervalMs`. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** A round, or the one already under way. Never rejects. */
  poll(): Promise<void> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<void> {
    try {
      const checkpoints = await this.sources.checkpoints(this.opts.maxRows + 1);
      const complete = checkpoints.length <= this.opts.maxRows;
      const kept = checkpoints.slice(0, this.opts.maxRows);
      const ranges = await this.sources.ranges([...new Set(kept.map((c) => c.topic))]);
      this.sink(consumerLagRows(kept, ranges), complete);
      this.rounds++;
      if (this.failingSince !== undefined) {
        this.logger.log(`consumer lag: readable again after ${this.now() - this.failingSince} ms`);
        this.failingSince = undefined;
      }
    } catch (err) {
      if (this.failingSince === undefined) {
        this.failingSince = this.now();
        this.logger.warn(`consumer lag: cannot read it (${(err as Error).message}); keeping the last figures`);
      }
    }
  }
}
