export { ProcessorCore, type ProcessorCoreOptions } from './processor-core';
export { type ProcessorEvents, StreamProcessor, type StreamProcessorOptions } from './stream-processor';
export type { CheckpointedState, ConsumedMessage, Topology } from './topology';
export { windowState } from './window-state';
