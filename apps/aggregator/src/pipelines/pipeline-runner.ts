import type { OutboxRelay } from '@switchboard/streams';
import { AggregatorLock } from '../deployment-lock/deployment-lock';
import type { Pipeline, PipelineContext, RefusedCounts } from './pipeline';

export type PipelineFactory = (ctx: PipelineContext) => Pipeline;

/**
 * Starts the aggregator's pipelines and its outbox relay, and closes them in the order that loses nothing:
 * pipelines first (each takes a final checkpoint and leaves its group), then the relay (it publishes what
 * those checkpoints committed; another instance's relay takes over otherwise).
 * Live, it holds the database's deployment lock (shared with the other instances) from before the relay and the
 * pipelines start until they closed, so a replay never runs beside it; while a replay holds it, start() waits.
 */
export class PipelineRunner {
  private readonly pipelines: Pipeline[];
  private relay: OutboxRelay | undefined;
  private lock: AggregatorLock | undefined;
  private started = false;

  constructor(
    private readonly ctx: PipelineContext,
    factories: readonly PipelineFactory[],
    private readonly relayOptions: { retainSentMs?: number } = {},
  ) {
    this.pipelines = factories.map((f) => f(ctx));
  }

  get names(): string[] {
    return this.pipelines.map((p) => p.name);
  }

  /** Refused inputs per pipeline and reason since start (for /metrics). */
  refused(): { pipeline: string; reason: keyof RefusedCounts; count: number }[] {
    return this.pipelines.flatMap((p) => {
      const counts = p.refused?.();
      if (!counts) return [];
      return (Object.keys(counts) as (keyof RefusedCounts)[]).map((reason) => ({
        pipeline: p.name,
        reason,
        count: counts[reason],
      }));
    });
  }

  /** The relay of this instance's outbox, once started (for /metrics: its table size and what it pruned). */
  get outboxRelay(): OutboxRelay | undefined {
    return this.relay;
  }

  get running(): boolean {
    return this.started;
  }

  /**
   * What keeps the results from reaching Kafka right now, one sentence each (empty when nothing does): the relay's
   * outages in progress — its database, or Kafka refusing its sends. The relay retries on its own; this is for
   * readiness, so that an operator sees why updates stopped.
   */
  outages(now = Date.now()): string[] {
    const status = this.relay?.status;
    if (!status) return [];
    const say = (what: string, o: NonNullable<typeof status.send>) =>
      `outbox relay: ${what} failing for ${now - o.since} ms (${o.attempts} attempts, retrying with back-off; the error is in the log)`;
    return [
      ...(status.database ? [say('Postgres', status.database)] : []),
      ...(status.send ? [say('publishing to Kafka', status.send)] : []),
    ];
  }

  async start(): Promise<void> {
    if (this.ctx.mode === 'live') {
      this.lock = new AggregatorLock(this.ctx.pool, this.ctx.logger);
      await this.lock.acquire();
    }
    this.relay = this.ctx.client.createOutboxRelay({
      pool: this.ctx.pool,
      tablePrefix: this.ctx.tablePrefix,
      logger: this.ctx.logger,
      ...this.relayOptions,
    });
    this.relay.start();
    // Together: each start is mostly waiting for its groups' joins (seconds each), and nothing depends on which
    // pipeline runs first — a stage reads what others wrote through Kafka, and its rows do not depend on when.
    // All starts settle before a failure is thrown, so close() finds no start still under way.
    const starts = await Promise.allSettled(this.pipelines.map((p) => p.start()));
    const failed = starts.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    this.started = true;
  }

  async close(): Promise<void> {
    this.started = false;
    await Promise.allSettled(this.pipelines.map((p) => p.close()));
    await this.relay?.stop();
    await this.lock?.release();
  }
}
