import type { StreamRecord } from '@switchboard/domain';
import {
  type EventPublisher,
  type MeterProperties,
  PublisherUnavailableError,
  type QueueProperties,
} from '../../../apps/ingest/src/publishing/event-publisher';

/** A broker-less publisher for HTTP-edge tests: records what ingest would have sent, or fails on demand. */
export class RecordingPublisher implements EventPublisher {
  readonly records: StreamRecord[] = [];
  readonly properties: {
    kind: 'meter' | 'queue';
    tenant: string;
    id: string;
    props: MeterProperties | QueueProperties;
  }[] = [];
  unavailable = false;

  async publish(records: readonly StreamRecord[]): Promise<void> {
    if (this.unavailable) throw new PublisherUnavailableError('test: Kafka down', { records: records.length });
    this.records.push(...records);
  }
  async setMeterProperties(tenant: string, id: string, props: MeterProperties): Promise<void> {
    if (this.unavailable) throw new PublisherUnavailableError('test: Kafka down', { records: 1 });
    this.properties.push({ kind: 'meter', tenant, id, props });
  }
  async setQueueProperties(tenant: string, id: string, props: QueueProperties): Promise<void> {
    if (this.unavailable) throw new PublisherUnavailableError('test: Kafka down', { records: 1 });
    this.properties.push({ kind: 'queue', tenant, id, props });
  }
  async checkReady(): Promise<void> {
    if (this.unavailable) throw new Error('test: Kafka down');
  }
  async close(): Promise<void> {}
}
