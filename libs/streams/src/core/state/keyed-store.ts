import { StreamsConfigError } from '../errors';
import { SnapshotFormatError } from '../processing/errors';
import { estimateBytes, keyBytes } from './size-estimate';

export const KEYED_STORE_SNAPSHOT_FORMAT = 'switchboard.keyed/1';

/** `[key, value, touchedAt]`: touchedAt is the stream time of the last write (the TTL clock). */
export type KeyedEntry<V> = [key: string, value: V, touchedAt: number];

export interface KeyedStoreSnapshot<V> {
  format: typeof KEYED_STORE_SNAPSHOT_FORMAT;
  /** Highest stream time the store has seen. */
  now: number | null;
  entries: KeyedEntry<V>[];
}

export interface KeyedStoreChanges<V> {
  now: number | null;
  upserts: KeyedEntry<V>[];
  deletes: string[];
}

export interface KeyedStoreOptions<V> {
  /** Entries not written for this long (stream time) are evicted by `expire`. Omit to keep them until deleted. */
  ttlMs?: number;
  /** Soft bound on the estimated size: `overLimit` turns true above it. */
  maxBytes?: number;
  /** Estimated heap bytes of a value; a structural estimate by default. */
  sizeOf?: (value: V) => number;
  /** Called for each entry evicted by TTL (e.g. to finalise it). */
  onEvict?: (key: string, value: V) => void;
}

interface Slot<V> {
  value: V;
  touchedAt: number;
  bytes: number;
}

/**
 * Per-partition keyed state: values must be plain JSON data. Time is the partition's stream time, so TTL
 * eviction is deterministic under replay. Writes move a key to the back of the map, so the front holds
 * the least recently written keys and `expire` stops at the first live one.
 */
export class KeyedStore<V> {
  private readonly map = new Map<string, Slot<V>>();
  private readonly dirty = new Set<string>();
  private readonly ttlMs?: number;
  private readonly maxBytes?: number;
  private readonly sizeOf: (value: V) => number;
  private readonly onEvict?: (key: string, value: V) => void;
  private now = Number.NEGATIVE_INFINITY;
  private size = 0;

  constructor(options: KeyedStoreOptions<V> = {}) {
    const { ttlMs, maxBytes, sizeOf, onEvict } = options;
    if (ttlMs !== undefined && !(typeof ttlMs === 'number' && ttlMs > 0)) {
      throw new StreamsConfigError(
        `ttlMs must be > 0 ms, or omitted to keep entries until deleted; got ${String(ttlMs)}`,
      );
    }
    if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
      throw new StreamsConfigError(`maxBytes must be a whole number of bytes > 0, or omitted; got ${String(maxBytes)}`);
    }
    if (sizeOf !== undefined && typeof sizeOf !== 'function') {
      throw new StreamsConfigError('sizeOf must be (value) => bytes, or omitted for a structural estimate');
    }
    this.ttlMs = ttlMs;
    this.maxBytes = maxBytes;
    this.sizeOf = sizeOf ?? estimateBytes;
    this.onEvict = onEvict;
  }

  get(key: string): V | undefined {
    return this.map.get(key)?.value;
  }

  /** The keys, least recently written first. */
  keys(): IterableIterator<string> {
    return this.map.keys();
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Writes `value` at stream time `now` (refreshes its TTL). */
  set(key: string, value: V, now: number): void {
    if (now > this.now) this.now = now;
    const old = this.map.get(key);
    const bytes = keyBytes(key.length) + this.sizeOf(value);
    if (old !== undefined) {
      this.size -= old.bytes;
      this.map.delete(key);
    }
    this.map.set(key, { value, touchedAt: this.now, bytes });
    this.size += bytes;
    this.dirty.add(key);
  }

  delete(key: string): boolean {
    const old = this.map.get(key);
    if (old === undefined) return false;
    this.map.delete(key);
    this.size -= old.bytes;
    this.dirty.add(key);
    return true;
  }

  /** Evicts entries last written at or before `now − ttlMs`; returns how many. */
  expire(now: number): number {
    if (now > this.now) this.now = now;
    if (this.ttlMs === undefined) return 0;
    const limit = this.now - this.ttlMs;
    let n = 0;
    for (const [key, slot] of this.map) {
      if (slot.touchedAt > limit) break;
      this.map.delete(key);
      this.size -= slot.bytes;
      this.dirty.add(key);
      n++;
      this.onEvict?.(key, slot.value);
    }
    return n;
  }

  get count(): number {
    return this.map.size;
  }

  /** Highest stream time the store has seen (restored with it); -Infinity before any. */
  get time(): number {
    return this.now;
  }

  get bytes(): number {
    return this.size;
  }

  get overLimit(): boolean {
    return this.maxBytes !== undefined && this.size > this.maxBytes;
  }

  changes(): KeyedStoreChanges<V> {
    const upserts: KeyedEntry<V>[] = [];
    const deletes: string[] = [];
    for (const key of this.dirty) {
      const slot = this.map.get(key);
      if (slot === undefined) deletes.push(key);
      else upserts.push([key, slot.value, slot.touchedAt]);
    }
    return { now: Number.isFinite(this.now) ? this.now : null, upserts, deletes };
  }

  get dirtyCount(): number {
    return this.dirty.size;
  }

  markClean(): void {
    this.dirty.clear();
  }

  snapshot(): KeyedStoreSnapshot<V> {
    const entries: KeyedEntry<V>[] = [];
    for (const [key, slot] of this.map) entries.push([key, slot.value, slot.touchedAt]);
    return { format: KEYED_STORE_SNAPSHOT_FORMAT, now: Number.isFinite(this.now) ? this.now : null, entries };
  }

  /** Replaces the contents with a snapshot; nothing is dirty afterwards. */
  restore(snapshot: KeyedStoreSnapshot<V> | undefined): void {
    this.clear();
    if (snapshot === undefined) return;
    if (snapshot?.format !== KEYED_STORE_SNAPSHOT_FORMAT || !Array.isArray(snapshot.entries)) {
      throw new SnapshotFormatError(`not a ${KEYED_STORE_SNAPSHOT_FORMAT} snapshot; pass what snapshot() returned`);
    }
    // oldest write first, so the TTL order of the map holds again
    const entries = [...snapshot.entries].sort((a, b) => a[2] - b[2]);
    for (const [key, value, touchedAt] of entries) {
      const bytes = keyBytes(key.length) + this.sizeOf(value);
      this.map.set(key, { value, touchedAt, bytes });
      this.size += bytes;
    }
    this.now = snapshot.now ?? Number.NEGATIVE_INFINITY;
  }

  clear(): void {
    this.map.clear();
    this.dirty.clear();
    this.size = 0;
    this.now = Number.NEGATIVE_INFINITY;
  }

  /** Applies checkpointed changes to a snapshot (how per-key checkpoint rows become a `restore` argument). */
  static applyChanges<V>(
    base: KeyedStoreSnapshot<V> | undefined,
    changes: KeyedStoreChanges<V>,
  ): KeyedStoreSnapshot<V> {
    const m = new Map<string, KeyedEntry<V>>();
    for (const e of base?.entries ?? []) m.set(e[0], e);
    for (const k of changes.deletes) m.delete(k);
    for (const e of changes.upserts) m.set(e[0], e);
    return { format: KEYED_STORE_SNAPSHOT_FORMAT, now: changes.now, entries: [...m.values()] };
  }
}

/** One `KeyedStore` per assigned partition: create on assignment, drop on revocation. */
export class PartitionedStores<V> {
  private readonly stores = new Map<number, KeyedStore<V>>();

  constructor(private readonly options: KeyedStoreOptions<V> = {}) {
    new KeyedStore<V>(options); // validates the options now, not at the first assignment
  }

  assign(partition: number, snapshot?: KeyedStoreSnapshot<V>): KeyedStore<V> {
    const store = new KeyedStore<V>(this.options);
    store.restore(snapshot);
    this.stores.set(partition, store);
    return store;
  }

  get(partition: number): KeyedStore<V> | undefined {
    return this.stores.get(partition);
  }

  revoke(partition: number): void {
    this.stores.delete(partition);
  }

  partitions(): number[] {
    return [...this.stores.keys()];
  }
}
