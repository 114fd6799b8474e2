import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { FeedLedger, type LedgerBuffers } from './feed-ledger';
import type { FeedRun } from './feed-producer';
import { buildRows, type LiveRowSpec, type RowSet } from './live-rows';

export type { FeedRun } from './feed-producer';

export interface FeedWorkerData {
  rowSet: RowSet;
  namespace: string;
  brokers: string[];
  seed: number;
  ledger: LedgerBuffers;
}

export type FeedRequest =
  | { id: number; op: 'touchAll' }
  | { id: number; op: 'run'; rate: number; seconds: number }
  | { id: number; op: 'close' };

type FeedReply = { id: number; result?: unknown; error?: string };

export class FeedError extends Error {
  constructor(message: string) {
    super(`update feed: ${message}`);
    this.name = 'FeedError';
  }
}

/**
 * Metric updates of a row set at a steady rate, produced by a worker thread (bench/feed-producer.ts) in the
 * aggregator's wire format; this side reads what was produced and when it was acknowledged (epoch ms, shared memory).
 */
export class UpdateFeed {
  readonly rows: readonly LiveRowSpec[];
  private readonly byId: Map<string, number>;
  private readonly ledger: FeedLedger;
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (r: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(rowSet: RowSet, namespace: string, brokers: string[], seed: number) {
    this.rows = buildRows(rowSet);
    this.byId = new Map(this.rows.map((r, i) => [r.id, i]));
    this.ledger = FeedLedger.create(this.rows.length);
    const data: FeedWorkerData = { rowSet, namespace, brokers, seed, ledger: this.ledger.buffers };
    // The bench runs under @swc-node/register; the worker inherits it (execArgv) and so loads TypeScript too.
    this.worker = new Worker(join(__dirname, 'update-feed-worker.ts'), { workerData: data });
    this.worker.on('message', (reply: FeedReply) => {
      const call = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (reply.error !== undefined) call?.reject(new FeedError(reply.error));
      else call?.resolve(reply.result);
    });
    this.worker.on('error', (err) => this.failAll(new FeedError(`the worker failed: ${err.message}`)));
    this.worker.on('exit', (code) => this.failAll(new FeedError(`the worker exited (${code})`)));
  }

  indexOf(id: string): number | undefined {
    return this.byId.get(id);
  }

  version(i: number): number {
    return this.ledger.version(i);
  }

  ackedAt(i: number, v: number): number | undefined {
    return this.ledger.ackedAt(i, v);
  }

  /**
   * One change of every row, so that every subscribed channel holds every row before a measurement (a meter
   * channel only takes updates once it exists: the gateway loads its past from Postgres, which the bench leaves empty).
   */
  async touchAll(): Promise<void> {
    await this.call({ id: this.nextId++, op: 'touchAll' });
  }

  /** `rate` changes a second of rows picked at random, for `seconds`. */
  run(rate: number, seconds: number): Promise<FeedRun> {
    return this.call({ id: this.nextId++, op: 'run', rate, seconds }) as Promise<FeedRun>;
  }

  async close(): Promise<void> {
    await this.call({ id: this.nextId++, op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private call(request: FeedRequest): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request);
    });
  }

  private failAll(err: Error): void {
    for (const call of this.pending.values()) call.reject(err);
    this.pending.clear();
  }
}
