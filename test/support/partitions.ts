import { Partitioners } from 'kafkajs';

/** The partition Kafka's default (murmur2) partitioner gives a key, among `count` partitions. */
export function partitionOfKey(key: string, count = 2): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));
  return partitioner({ topic: 't', partitionMetadata, message: { key, value: null } });
}
