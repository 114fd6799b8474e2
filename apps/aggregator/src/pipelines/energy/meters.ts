import {
  type CheckpointedState,
  type KeyedStore,
  keyedState,
  PartitionedStores,
  type StoredState,
} from '@switchboard/streams';
import {
  decodeBucket,
  EnergyCheckpointFormatError,
  encodeBucket,
  MeterEnergy,
  type MeterEnergySnapshot,
  type ReadingBuckets,
} from '../../energy';

/**
 * The meters' checkpoint format, in the store's meta row. 2: readings only (the windows are the engine's
 * `energy-windows` state); 1 (no marker): the meter kept its own windows, versions and final segments.
 */
export const ENERGY_STATE_FORMAT = 'switchboard.energy-meters/2';

/**
 * Store keys of reading buckets: `<meter stream id>#<bucket start>`. A stream id never holds '#' (the id charset is
 * A-Z a-z 0-9 . _ : -).
 */
const BUCKET_SEPARATOR = '#';

/** A meter's checkpointed entry: its readings and the partition stream time at its last reading (the TTL clock). */
export interface MeterSnapshot {
  energy: MeterEnergySnapshot;
  touchedAt: number | null;
}

/** A meter's snapshot, or a bucket of its readings as text (keys with BUCKET_SEPARATOR). */
export type MeterStoreValue = MeterSnapshot | string;

export interface Meter {
  readonly energy: MeterEnergy;
  touchedAt: number;
}

interface MeterPartition {
  store: KeyedStore<MeterStoreValue>;
  meters: Map<string, Meter>;
  /** Meters changed since the last drain: their snapshots go into the store then, not at every reading. */
  dirty: Set<string>;
  /** The window boundary of the last sweep: a full sweep runs only when it moves (every 15 min of stream time). */
  swept: number;
}

/**
 * Every meter of every assigned partition: its MeterEnergy over a per-partition KeyedStore (checkpointed through
 * `keyedState`, one entry per meter and one per meter and 6 hours of older readings), and its TTL clock.
 */
export class Meters {
  private readonly stores = new PartitionedStores<MeterStoreValue>();
  private readonly keyed = keyedState('energy-meters', this.stores);
  private readonly partitions = new Map<number, MeterPartition>();

  readonly state: CheckpointedState = {
    name: this.keyed.name,
    restore: (p, stored) => this.restore(p, stored),
    changes: (p) => {
      const c = this.keyed.changes(p);
      return c ? { ...c, meta: { ...(c.meta as object), energyFormat: ENERGY_STATE_FORMAT } } : undefined;
    },
    markCheckpointed: (p) => this.keyed.markCheckpointed(p),
    revoke: (p) => {
      this.keyed.revoke(p);
      this.partitions.delete(p);
    },
  };

  /** The meter of `key` on partition `p` (new when absent); the caller changes it, so it is marked dirty. */
  meter(p: number, key: string): Meter {
    const part = this.partitions.get(p) as MeterPartition;
    let meter = part.meters.get(key);
    if (!meter) {
      meter = { energy: new MeterEnergy(undefined, bucketsOf(part.store, key)), touchedAt: Number.NEGATIVE_INFINITY };
      part.meters.set(key, meter);
    }
    part.dirty.add(key);
    return meter;
  }

  has(p: number): boolean {
    return this.partitions.has(p);
  }

  count(p: number): number {
    return this.partitions.get(p)?.meters.size ?? 0;
  }

  /**
   * When `boundary` moved: expires every meter's readings at `horizon` (partition stream time − grace −
   * restateForMs), and evicts the meters without a reading since `quietBefore` (partition stream time − TTL) that
   * hold nothing within the horizon.
   */
  sweep(p: number, boundary: number, horizon: number, quietBefore: number): void {
    const part = this.partitions.get(p) as MeterPartition;
    if (!Number.isFinite(boundary) || boundary <= part.swept) return;
    part.swept = boundary;
    for (const [key, meter] of part.meters) {
      if (meter.energy.expire(horizon)) part.dirty.add(key);
      if (meter.touchedAt <= quietBefore && !meter.energy.holdsReadings) {
        part.meters.delete(key);
        part.dirty.delete(key);
        part.store.delete(key);
      }
    }
  }

  /** Writes the changed meters' snapshots into their stores (once per checkpoint, not per reading). */
  flush(time: (p: number) => number): void {
    for (const [p, part] of this.partitions) {
      for (const key of part.dirty) {
        const meter = part.meters.get(key);
        if (!meter) continue;
        const touchedAt = Number.isFinite(meter.touchedAt) ? meter.touchedAt : null;
        part.store.set(key, { energy: meter.energy.snapshot(), touchedAt }, time(p));
      }
      part.dirty.clear();
    }
  }

  private restore(p: number, stored: StoredState | undefined): void {
    const format = (stored?.meta as { energyFormat?: unknown } | undefined)?.energyFormat;
    if (stored !== undefined && format !== ENERGY_STATE_FORMAT) {
      throw new EnergyCheckpointFormatError(
        `the energy checkpoint of partition ${p} is in an older format than ${ENERGY_STATE_FORMAT} (meters kept their own windows then); rebuild the tables and the state with \`switchboard replay\``,
        { partition: p, format: typeof format === 'string' ? format : null },
      );
    }
    this.keyed.restore(p, stored);
    const store = this.stores.get(p) as KeyedStore<MeterStoreValue>;
    const meters = new Map<string, Meter>();
    for (const [key, value] of store.snapshot().entries) {
      if (key.includes(BUCKET_SEPARATOR)) continue;
      const { energy, touchedAt } = value as MeterSnapshot;
      meters.set(key, {
        energy: new MeterEnergy(energy, bucketsOf(store, key)),
        touchedAt: touchedAt ?? Number.NEGATIVE_INFINITY,
      });
    }
    this.partitions.set(p, { store, meters, dirty: new Set(), swept: Number.NEGATIVE_INFINITY });
  }
}

/** One meter's reading buckets in entries of the partition's store (BUCKET_SEPARATOR), as compact text. */
function bucketsOf(store: KeyedStore<MeterStoreValue>, key: string): ReadingBuckets {
  const entryOf = (start: number) => `${key}${BUCKET_SEPARATOR}${start}`;
  return {
    get(start) {
      const text = store.get(entryOf(start)) as string | undefined;
      return text === undefined ? undefined : decodeBucket(start, text);
    },
    set: (start, readings) => store.set(entryOf(start), encodeBucket(start, readings), store.time),
    delete: (start) => void store.delete(entryOf(start)),
  };
}
