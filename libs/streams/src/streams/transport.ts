/** A message to produce: our wire format's messages, or any other (outbox rows, dead letters). */
export interface OutgoingMessage {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Explicit partition; default: Kafka's murmur2 of the key. */
  partition?: number;
}

/** What the producer side needs from a broker: send many messages of many topics in one request. */
export interface MessageSender {
  /** Resolves once the broker acknowledged every message (acks from all in-sync replicas). */
  send(batch: { topic: string; messages: OutgoingMessage[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  partitions: number;
  replicationFactor: number;
  /** Topic config entries set at creation (e.g. `cleanup.policy: compact`); default: the broker's. */
  config?: Readonly<Record<string, string>>;
}

export interface TopicAdmin {
  /** Creates the topic when missing; an existing topic is left as it is. */
  ensureTopic(topic: string, spec: TopicSpec): Promise<void>;
}
