import { keyBytes } from '../state/size-estimate';

/**
 * The stream time of one clock group (key-level closing): a key, or the keys that share a group such as a
 * tenant. Its time is the highest timestamp its own records carried (or, in live mode while it is quiet for
 * `idleMs`, where it was plus the wall time since). Its windows close on it alone.
 */
export class KeyClock {
  time = Number.NEGATIVE_INFINITY;
  /** Time at the last record, where idling starts from. */
  anchorTime = Number.NEGATIVE_INFINITY;
  /** Windows (open or closed) of the group in the store: the clock is dropped when none is left. */
  cells = 0;
  /** Lower bound of the ends of the group's open windows (+Infinity: none): its windows are scanned only past it. */
  minOpenEnd = Number.POSITIVE_INFINITY;
  /** The group's keys with windows; null when the group is its one key (`closeBy: 'key'`). */
  readonly keys: Set<string> | null;

  constructor(
    readonly id: string,
    public lastActivity: number,
    grouped: boolean,
  ) {
    this.keys = grouped ? new Set() : null;
  }
}

/** Heap estimate of one clock (object, Map entry, the group's key Set when grouped). */
const CLOCK_BYTES = 96;
const GROUP_SET_BYTES = 80;
const SET_ENTRY_BYTES = 24;

/**
 * The clocks of one partition's groups, kept in order of last activity (oldest first) when `ordered` (live
 * mode with idling): `tick` then visits the quiet ones only, from the front, and stops at the first active
 * one. A clock is dropped with its group's last window.
 */
export class KeyClocks {
  private readonly map = new Map<string, KeyClock>();
  private last: KeyClock | undefined;
  bytes = 0;

  constructor(
    private readonly grouped: boolean,
    private readonly ordered: boolean,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(id: string): KeyClock | undefined {
    return this.map.get(id);
  }

  /** The clock of `id` (created when absent), active at `now`. */
  touch(id: string, now: number): KeyClock {
    let c = this.map.get(id);
    if (c === undefined) {
      c = new KeyClock(id, now, this.grouped);
      this.map.set(id, c);
      this.bytes += CLOCK_BYTES + keyBytes(id.length) + (this.grouped ? GROUP_SET_BYTES : 0);
    } else if (this.ordered && c !== this.last) {
      this.map.delete(id);
      this.map.set(id, c);
    }
    c.lastActivity = now;
    this.last = c;
    return c;
  }

  delete(c: KeyClock): void {
    if (this.map.delete(c.id)) {
      this.bytes -= (c.keys?.size ?? 0) * SET_ENTRY_BYTES;
      this.bytes -= CLOCK_BYTES + keyBytes(c.id.length) + (this.grouped ? GROUP_SET_BYTES : 0);
    }
    if (this.last === c) this.last = undefined;
  }

  /** Records that `key` of group `c` holds windows. */
  addKey(c: KeyClock, key: string): void {
    if (c.keys === null || c.keys.has(key)) return;
    c.keys.add(key);
    this.bytes += SET_ENTRY_BYTES;
  }

  /** `key` of group `c` holds no window any more. */
  removeKey(c: KeyClock, key: string): void {
    if (c.keys?.delete(key)) this.bytes -= SET_ENTRY_BYTES;
  }

  /** Oldest activity first (when ordered). */
  values(): IterableIterator<KeyClock> {
    return this.map.values();
  }
}
