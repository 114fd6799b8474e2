import { parseEvent, type StreamRecord, type TimeWindow, toStreamRecord } from '@switchboard/domain';
import type { IngestMetrics } from '../metrics/ingest-metrics';
import type { EventPublisher } from '../publishing/event-publisher';
import { UnparseableItem } from './body';

export interface RejectedItem {
  index: number;
  error: string;
}

export interface IngestResult {
  accepted: number;
  rejected: RejectedItem[];
}

export interface IngestOptions {
  maxPastMs: number;
  maxFutureMs: number;
  now?: () => number;
}

/**
 * Validates a batch item by item and publishes the valid ones in one go. The returned promise resolves
 * only after Kafka acknowledged them; if publishing fails, the whole request fails (nothing accepted).
 */
export class IngestService {
  private readonly now: () => number;

  constructor(
    private readonly publisher: EventPublisher,
    private readonly metrics: IngestMetrics,
    private readonly options: IngestOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async ingest(tenant: string, items: readonly unknown[]): Promise<IngestResult> {
    const window: TimeWindow = {
      now: this.now(),
      maxPastMs: this.options.maxPastMs,
      maxFutureMs: this.options.maxFutureMs,
    };
    const records: StreamRecord[] = [];
    const rejected: RejectedItem[] = [];
    const types: string[] = [];
    for (let index = 0; index < items.length; index++) {
      const item = items[index];
      const result =
        item instanceof UnparseableItem ? { ok: false as const, error: item.error } : parseEvent(item, window);
      if (result.ok) {
        records.push(toStreamRecord(tenant, result.event));
        types.push(result.event.type);
      } else {
        rejected.push({ index, error: result.error });
      }
    }
    if (records.length > 0) {
      const stop = this.metrics.publishSeconds.startTimer();
      try {
        await this.publisher.publish(records);
      } finally {
        stop();
      }
    }
    for (const type of types) this.metrics.eventsAccepted.inc({ type });
    if (rejected.length > 0) this.metrics.eventsRejected.inc(rejected.length);
    return { accepted: records.length, rejected };
  }
}
