/**
 * Header naming the key a message is partitioned by, when that is not its Kafka key: murmur2 of this value picks
 * the partition (as the Java client does for a key). Used where messages keep their own identity as key but must
 * share a partition, e.g. every row update of one entity. Any producer can follow it; consumers may ignore it.
 */
export const PARTITION_KEY_HEADER = 'sb-partition-key';
