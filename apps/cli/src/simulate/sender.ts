import type { SimEvent } from './generator';

export class SendError extends Error {
  constructor(
    message: string,
    readonly context: { status?: number; attempts: number; events: number },
  ) {
    super(message);
    this.name = 'SendError';
  }
}

export interface SenderOptions {
  url: string;
  key: string;
  /** Attempts per request before giving up (429, 503, other 5xx and network errors are retried). */
  retries: number;
  /** Back-off when the server gives no Retry-After; doubles per attempt, capped at 30 s. */
  backoffMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendStats {
  requests: number;
  sent: number;
  accepted: number;
  rejected: number;
  retried: number;
  /** The first few rejection messages, to show the user why. */
  rejections: string[];
}

const RETRIABLE = new Set([429, 500, 502, 503, 504]);

/** Sends batches through the public HTTP API, retrying what may succeed later; counts what happened. */
export class IngestSender {
  readonly stats: SendStats = { requests: 0, sent: 0, accepted: 0, rejected: 0, retried: 0, rejections: [] };
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: SenderOptions) {
    this.fetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async sendEvents(events: readonly SimEvent[]): Promise<void> {
    if (events.length === 0) return;
    const body = events.map((e) => JSON.stringify(e)).join('\n');
    const res = await this.request('POST', '/v1/events', body, 'application/x-ndjson', events.length);
    const result = (await res.json()) as { accepted: number; rejected: { index: number; error: string }[] };
    this.stats.sent += events.length;
    this.stats.accepted += result.accepted;
    this.stats.rejected += result.rejected.length;
    for (const r of result.rejected) {
      if (this.stats.rejections.length < 5) this.stats.rejections.push(`${events[r.index]?.type}: ${r.error}`);
    }
  }

  async put(path: string, body: object): Promise<void> {
    await this.request('PUT', path, JSON.stringify(body), 'application/json', 0);
  }

  private async request(
    method: string,
    path: string,
    body: string,
    contentType: string,
    events: number,
  ): Promise<Response> {
    const base = this.opts.backoffMs ?? 250;
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      let failure: string;
      try {
        this.stats.requests++;
        res = await this.fetch(`${this.opts.url}${path}`, {
          method,
          headers: { authorization: `Bearer ${this.opts.key}`, 'content-type': contentType },
          body,
        });
        if (res.ok) return res;
        const text = await res.text();
        failure = `${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`;
        if (!RETRIABLE.has(res.status)) throw new SendError(failure, { status: res.status, attempts: attempt, events });
      } catch (err) {
        if (err instanceof SendError) throw err;
        failure = `${method} ${path} failed: ${(err as Error).message}`;
      }
      if (attempt >= this.opts.retries)
        throw new SendError(`${failure} (gave up after ${attempt} attempts)`, {
          status: res?.status,
          attempts: attempt,
          events,
        });
      this.stats.retried++;
      const retryAfter = Number(res?.headers.get('retry-after'));
      await this.sleep(
        Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Math.min(30_000, base * 2 ** (attempt - 1)),
      );
    }
  }
}
