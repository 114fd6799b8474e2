import { readServiceStatus, type ServiceStatusRecord } from '@switchboard/streams';
import { Kafka, logLevel } from 'kafkajs';
import { testEnv, uniqueName } from './env';
import { eventually } from './wait';

/** What a service's status goes through from its start to a clean stop on SIGTERM (PRODUCT.md's table). */
export const BOOT_TO_CLEAN_STOP = ['QueuedForDeployment', 'Deploying', 'Starting', 'Running', 'Stopping', 'Stopped'];

/** Reads a service.status topic from the beginning (once a service created it), keeping every record in order. */
export class ServiceStatusReader {
  readonly received: { key: string; record: ServiceStatusRecord | null }[] = [];
  private readonly kafka = new Kafka({
    brokers: testEnv.brokers,
    clientId: uniqueName('status'),
    logLevel: logLevel.NOTHING,
  });
  private readonly admin = this.kafka.admin();
  private readonly consumer = this.kafka.consumer({ groupId: uniqueName('status-reader') });

  constructor(readonly topic: string) {}

  async start(): Promise<void> {
    await this.admin.connect();
    await eventually(async () => expect(await this.admin.listTopics()).toContain(this.topic), 60_000, 200);
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        this.received.push({ key: String(message.key), record: readServiceStatus(message.value) });
      },
    });
  }

  /** The statuses (of one key, or all) in the order they were published, heartbeats (repeats) folded. */
  statuses(key?: string): (string | undefined)[] {
    return this.received
      .filter((r) => key === undefined || r.key === key)
      .map((r) => r.record?.status)
      .filter((s, i, all) => s !== all[i - 1]);
  }

  /**
   * Until the latest status (of `key`, or of any record) is `status`. Give the key when several instances publish:
   * their records sit in different partitions, so which instance's record came last says nothing.
   */
  waitFor(status: string, { key, timeoutMs = 60_000 }: { key?: string; timeoutMs?: number } = {}): Promise<void> {
    return eventually(() => expect(this.statuses(key).at(-1)).toBe(status), timeoutMs, 200);
  }

  async close(): Promise<void> {
    await this.consumer.disconnect();
    await this.admin.disconnect();
  }
}
