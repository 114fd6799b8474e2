export {
  type DeadLetter,
  DeadLetterHeaders,
  type DeadLetterSource,
  deadLetterRecord,
  deadLetterTopicOf,
} from './dead-letter';
export { keyedState } from './keyed-state';
export { ProcessorCore, type ProcessorCoreOptions } from './processor-core';
export {
  decodeRepartition,
  REPARTITION_RECORD,
  REPARTITION_TIME,
  repartitionOutbox,
  repartitionState,
} from './repartition-hop';
export {
  type ProcessorEvents,
  type RawMessage,
  StreamProcessor,
  type StreamProcessorOptions,
  type StreamProcessorStatus,
} from './stream-processor';
export type { CheckpointedState, ConsumedMessage, Topology } from './topology';
export { windowState } from './window-state';
