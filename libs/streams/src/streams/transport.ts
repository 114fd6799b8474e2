import type { WireMessage } from '../core/model/codec';

/** What the producer side needs from a broker: send many messages of many topics in one request. */
export interface MessageSender {
  /** Resolves once the broker acknowledged every message (acks from all in-sync replicas). */
  send(batch: { topic: string; messages: WireMessage[] }[]): Promise<void>;
  close(): Promise<void>;
}

export interface TopicSpec {
  partitions: number;
  replicationFactor: number;
}

export interface TopicAdmin {
  /** Creates the topic when missing; an existing topic is left as it is. */
  ensureTopic(topic: string, spec: TopicSpec): Promise<void>;
}
