import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** Where the load goes and what it sends: meter readings, round robin over `meters` meters. */
export interface LoadPlan {
  url: string;
  key: string;
  meters: number;
  /** Meters m0…m(watched−1) are watched: their readings come back as samples with each request's ack. */
  watched: number;
  /** One request every tickMs with the readings due by then. */
  tickMs: number;
  /** Unanswered requests beyond which a tick's readings are skipped (counted) rather than queued. */
  maxInFlight: number;
}

/** One run of the load: `rate` readings a second for `seconds`. */
export interface LoadRun {
  rate: number;
  seconds: number;
}

/** One acknowledged request: when it left and when its 202 came (epoch ms), and its watched readings. */
export interface LoadAck {
  sentAt: number;
  ackAt: number;
  /** [`m<i>@<window start>`, the window's reading count with this one, the reading's ts]. */
  samples: Array<[key: string, need: number, ts: number]>;
}

export interface LoadResult {
  /** Readings due by the schedule; sent (in requests); accepted (in 202 answers); skipped (too many in flight). */
  offered: number;
  sent: number;
  accepted: number;
  skipped: number;
  failedRequests: number;
  statuses: Record<string, number>;
  /** From the first tick to the last request sent. */
  seconds: number;
}

/**
 * Open-loop load on POST /v1/events from a worker thread (bench/open-loop-worker.ts): a request every tickMs with
 * the readings the schedule has due, whether or not earlier requests were answered, so a slow pipeline shows as
 * latency (and as readings skipped beyond maxInFlight), never as a lower offered rate. The meters' registers and
 * window counts carry over from run to run.
 */
export class OpenLoopLoad {
  private readonly worker: Worker;
  private onAck: (ack: LoadAck) => void = () => {};
  private settle: { resolve(r: LoadResult): void; reject(e: Error): void } | undefined;

  constructor(plan: LoadPlan) {
    // The bench runs under @swc-node/register; the worker inherits it (execArgv) and so loads TypeScript too.
    this.worker = new Worker(join(__dirname, 'open-loop-worker.ts'), { workerData: plan });
    this.worker.on('message', (m: { ack?: LoadAck; result?: LoadResult; error?: string }) => {
      if (m.ack) this.onAck(m.ack);
      else if (m.result) this.settle?.resolve(m.result);
      else if (m.error) this.settle?.reject(new Error(`open-loop load: ${m.error}`));
    });
    this.worker.on('error', (err) => this.settle?.reject(err));
  }

  /** Runs `rate` readings/s for `seconds`; `onAck` gets every accepted request as it is answered. */
  run(rate: number, seconds: number, onAck: (ack: LoadAck) => void): Promise<LoadResult> {
    this.onAck = onAck;
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      const request: LoadRun = { rate, seconds };
      this.worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
