export { type Aggregator, count, max, min, sum } from './aggregators';
export { PartitionNotAssignedError, SnapshotFormatError, UnsupportedOperationError } from './errors';
export { GroupInputs } from './group-inputs';
export { KeyClock, KeyClocks } from './key-clocks';
export { Pipeline } from './pipeline';
export type { Clock, LateRecord, Sink, StreamRecord, TimeMode, WindowRow } from './record';
export {
  type GroupTime,
  REPARTITION_SNAPSHOT_FORMAT,
  REPARTITION_SNAPSHOT_FORMAT_V1,
  RepartitionBoundary,
  type RepartitionMessage,
  type RepartitionOptions,
  type RepartitionSnapshot,
} from './repartition';
export { InputTime, PartitionClock } from './stream-clock';
export {
  type CloseBy,
  type EmitMode,
  type PartitionStats,
  WindowedAggregation,
  type WindowedAggregationOptions,
} from './windowed-aggregation';
export { hopping, tumbling, type WindowDefinition } from './windows';
