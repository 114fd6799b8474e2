import type { ConsumedRecord, GroupMember, GroupMemberHooks, KafkaPort, OffsetRange, TopicAdmin } from './kafka-port';

// An in-memory Kafka adapter for specs of the library's own logic: one partition per topic, a group of one member
// that gets every record in one batch at start.
export class MemoryLog {
  readonly topics = new Map<string, ConsumedRecord[]>();
  append(topic: string, r: Omit<ConsumedRecord, 'offset' | 'timestamp'>): void {
    const log = this.topics.get(topic) ?? [];
    log.push({ ...r, offset: String(log.length), timestamp: String(Date.now()) });
    this.topics.set(topic, log);
  }
}

export interface MemoryPortOptions {
  /** The member's commit (default: commits what it is given). */
  commit?: GroupMember['commit'];
}

export function memoryPort(log: MemoryLog, adapter: MemoryPortOptions = {}): KafkaPort {
  const range = (t: string): Map<number, OffsetRange> =>
    new Map([[0, { start: 0n, end: BigInt(log.topics.get(t)?.length ?? 0) }]]);
  const admin: TopicAdmin = {
    ensureTopic: async (t) => void log.topics.set(t, log.topics.get(t) ?? []),
    topicExists: async (t) => log.topics.has(t),
    offsetRanges: async (t) => range(t),
    offsetsAtTime: async (t) => new Map([[0, range(t).get(0)?.end ?? 0n]]),
    partitionsWithoutCommit: async () => [],
    describeGroupsStartingWith: async () => [],
    deleteGroups: async () => undefined,
    describeCluster: async () => ({ brokers: 1, controller: 0 }),
    close: async () => undefined,
  };
  return {
    admin,
    sender: {
      send: async (batch) => {
        for (const { topic, messages } of batch)
          for (const m of messages)
            log.append(topic, { key: m.key === null ? null : Buffer.from(m.key), value: m.value, headers: m.headers });
      },
      close: async () => undefined,
    },
    groupMember(options, hooks: GroupMemberHooks): GroupMember {
      let done = -1;
      return {
        topic: options.topic,
        start: async () => {
          await hooks.onAssigned?.([0]);
          hooks.onJoined?.([0]);
          const records = log.topics.get(options.topic) ?? [];
          await hooks.onBatch(0, records, {
            done: (o) => {
              done = Number(o);
            },
            heartbeat: async () => undefined,
            stopping: () => false,
            lag: () => 0,
          });
        },
        uncommitted: () => (done < 0 ? [] : [{ partition: 0, offset: String(done + 1) }]),
        commit: adapter.commit ?? (async (offsets) => offsets ?? []),
        pause: () => undefined,
        resume: () => undefined,
        rewind: () => undefined,
        assignedPartitions: () => [0],
        drain: async () => undefined,
        close: async () => undefined,
      };
    },
    partitionReader: (o) => ({
      start: async () => {
        for (const topic of o.topics) {
          const from = Number(o.start.get(topic)?.get(0) ?? 0n);
          await o.onBatch(topic, 0, (log.topics.get(topic) ?? []).slice(from));
        }
      },
      positioned: Promise.resolve(),
      close: async () => undefined,
    }),
  };
}
