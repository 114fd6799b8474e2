import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { PARTITION_KEY_HEADER } from '../streams/partition-key';
import { partitionKeyPartitioner } from './kafka-sender';

const partitions = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionId: i,
    leader: 1,
    replicas: [1],
    isr: [1],
    offlineReplicas: [],
    partitionErrorCode: 0,
  }));

describe('the sb-partition-key header', () => {
  const murmur2 = Partitioners.DefaultPartitioner();
  const ours = partitionKeyPartitioner();
  const metadata = partitions(12);

  it('puts messages of different keys where murmur2 puts their shared partition key', () => {
    for (let i = 0; i < 200; i++) {
      const entity = `acme/queue/q-${i}`;
      const expected = murmur2({ topic: 't', partitionMetadata: metadata, message: { key: entity, value: null } });
      for (const window of ['2026-01-01T00:00:00.000Z', '2026-01-01T00:01:00.000Z']) {
        const message = { key: `${entity}/${window}`, value: null, headers: { [PARTITION_KEY_HEADER]: entity } };
        expect(ours({ topic: 't', partitionMetadata: metadata, message })).toBe(expected);
      }
    }
  });

  it('falls back to the key when the header is absent, exactly like the Java client', () => {
    for (let i = 0; i < 200; i++) {
      const message = { key: `k-${i}`, value: null, headers: { other: 'x' } };
      expect(ours({ topic: 't', partitionMetadata: metadata, message })).toBe(
        murmur2({ topic: 't', partitionMetadata: metadata, message }),
      );
    }
  });
});
