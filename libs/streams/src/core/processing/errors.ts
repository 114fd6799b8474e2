import { StreamsError } from '../errors';

/** A record or call named a partition this processor does not own: call `assign()` or `restore()` first. */
export class PartitionNotAssignedError extends StreamsError {}

/** A snapshot that this version of the engine cannot read (wrong format tag, partition or shape). */
export class SnapshotFormatError extends StreamsError {}

/** A record asked for something the configured operator cannot do (e.g. a retraction without `retract`). */
export class UnsupportedOperationError extends StreamsError {}
