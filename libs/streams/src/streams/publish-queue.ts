import type { WireMessage } from '../core/model/codec';
import type { MessageSender } from '../port';

interface Batch {
  byTopic: Map<string, WireMessage[]>;
  bytes: number;
  settle?: { resolve: () => void; reject: (err: unknown) => void };
  done: Promise<void>;
}

export interface PublishQueueOptions {
  /** Cap on one produce request, below the broker's message.max.bytes (1 MiB) per partition batch. */
  maxRequestBytes: number;
}

/**
 * Coalesces everything published in one turn of the event loop — by every stream of every topic — into
 * one produce request, and keeps one request in flight so each stream's messages stay in order.
 * enqueue() resolves when the request carrying the messages is acknowledged.
 */
export class PublishQueue {
  private current: Batch = newBatch();
  private sealed: Batch[] = [];
  private flying: Batch | undefined;
  private inFlight = false;
  private scheduled = false;

  constructor(
    private readonly sender: MessageSender,
    private readonly opts: PublishQueueOptions = { maxRequestBytes: 768 * 1024 },
  ) {}

  enqueue(topic: string, messages: WireMessage[]): Promise<void> {
    let size = 0;
    for (const m of messages) size += m.value.length + m.key.length + 64;
    if (this.current.bytes > 0 && this.current.bytes + size > this.opts.maxRequestBytes) this.seal();
    const batch = this.current;
    const list = batch.byTopic.get(topic);
    if (list) for (const m of messages) list.push(m);
    else batch.byTopic.set(topic, messages.slice());
    batch.bytes += size;
    this.schedule();
    return batch.done;
  }

  private seal(): void {
    this.sealed.push(this.current);
    this.current = newBatch();
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.pump();
    });
  }

  private async pump(): Promise<void> {
    if (this.inFlight) return;
    if (this.current.bytes > 0) this.seal();
    const batch = this.sealed.shift();
    if (!batch) return;
    this.inFlight = true;
    this.flying = batch;
    try {
      await this.sender.send([...batch.byTopic].map(([topic, messages]) => ({ topic, messages })));
      batch.settle?.resolve();
    } catch (err) {
      batch.settle?.reject(err);
    } finally {
      this.inFlight = false;
      this.flying = undefined;
    }
    if (this.sealed.length > 0 || this.current.bytes > 0) void this.pump();
  }

  /** Resolves when everything enqueued so far was acknowledged (or failed). */
  async drain(): Promise<void> {
    const pending = [...(this.flying ? [this.flying] : []), ...this.sealed, this.current]
      .filter((b) => b.bytes > 0)
      .map((b) => b.done.catch(() => undefined));
    await Promise.all(pending);
  }
}

function newBatch(): Batch {
  const batch: Batch = { byTopic: new Map(), bytes: 0, done: Promise.resolve() };
  batch.done = new Promise<void>((resolve, reject) => {
    batch.settle = { resolve, reject };
  });
  // A failed batch whose caller never awaits must not crash the process; callers that await still see it.
  batch.done.catch(() => undefined);
  return batch;
}
