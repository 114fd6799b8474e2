export {
  KEYED_STORE_SNAPSHOT_FORMAT,
  type KeyedEntry,
  KeyedStore,
  type KeyedStoreChanges,
  type KeyedStoreOptions,
  type KeyedStoreSnapshot,
  PartitionedStores,
} from './keyed-store';
export { estimateBytes } from './size-estimate';
export {
  applyWindowChanges,
  type ClosedWindowEntry,
  type KeyEntry,
  type OpenWindowEntry,
  WINDOW_SNAPSHOT_FORMAT,
  WINDOW_SNAPSHOT_FORMAT_V1,
  type WindowChanges,
  type WindowEntry,
  type WindowSnapshot,
} from './window-store';
