import { type MetricUpdate, namespaced, UpdateTopics } from '@switchboard/domain';
import { metricUpdateRecord } from '../apps/aggregator/src/pipelines/metric-update-record';
import { Rng } from '../apps/cli/src/simulate/rng';
import type { MessageSender } from '../libs/streams/src/port';
import { epochMs } from './epoch-clock';
import type { FeedLedger } from './feed-ledger';
import type { LiveRowSpec } from './live-rows';

/** Rows per send at most: the outbox relay's default batch. */
const MAX_BATCH = 500;

export interface FeedRun {
  produced: number;
  sends: number;
  /** The longest send (produce → ack), ms. */
  maxSendMs: number;
  /** The rate reached (below the one asked for when sends were slow). */
  perSecond: number;
}

/**
 * Row changes into `<namespace>.metrics.updates` exactly as the aggregator's outbox relay writes them
 * (metricUpdateRecord: key = update id, `sb-model` and `sb-partition-key` headers, murmur2 of the entity; acks=-1
 * through the streams library's sender). Like the relay it sends one batch, waits for the ack, then sends what
 * fell due meanwhile. Versions and ack times go to the ledger.
 */
export class FeedProducer {
  readonly topic: string;

  constructor(
    private readonly rows: readonly LiveRowSpec[],
    private readonly ledger: FeedLedger,
    private readonly sender: MessageSender,
    namespace: string,
    private readonly random: () => number,
  ) {
    this.topic = namespaced(UpdateTopics.updates, namespace);
  }

  /** One change of every row. */
  async touchAll(): Promise<void> {
    await this.send(this.rows.map((_, i) => i));
  }

  /** `rate` changes a second of rows picked at random, for `seconds`. */
  async run(rate: number, seconds: number): Promise<FeedRun> {
    const durationMs = seconds * 1000;
    const start = performance.now();
    let produced = 0;
    let sends = 0;
    let maxSendMs = 0;
    for (;;) {
      const elapsed = performance.now() - start;
      if (elapsed >= durationMs) break;
      const due = Math.min(MAX_BATCH, Math.floor((rate * elapsed) / 1000) - produced);
      if (due <= 0) {
        await sleep(Math.min(2, durationMs - elapsed));
        continue;
      }
      const picked: number[] = new Array(due);
      for (let k = 0; k < due; k++) picked[k] = Math.floor(this.random() * this.rows.length);
      const sentAt = performance.now();
      await this.send(picked);
      maxSendMs = Math.max(maxSendMs, performance.now() - sentAt);
      produced += due;
      sends++;
    }
    return { produced, sends, maxSendMs, perSecond: Math.round((produced / (performance.now() - start)) * 1000) };
  }

  private async send(picked: number[]): Promise<void> {
    const versions: number[] = [];
    const updates: MetricUpdate[] = [];
    for (const i of picked) {
      const v = this.ledger.next(i);
      versions.push(v);
      updates.push(this.rows[i].build(v));
    }
    await this.sender.send([
      {
        topic: this.topic,
        messages: updates.map((u) => {
          const record = metricUpdateRecord(this.topic, u);
          return { key: record.key, value: record.value, headers: { ...record.headers } };
        }),
      },
    ]);
    const at = epochMs();
    for (let k = 0; k < picked.length; k++) this.ledger.acked(picked[k], versions[k], at);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The simulator's seeded generator as a function: the same picks every run. */
export function seededRandom(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}
