import type { EnergyWindowRow, FinalSegments } from '../energy';
import { MeterEnergy, type MeterEnergySnapshot } from '../energy';

/** A meter's checkpointed state: its energy model, the version of each open row, its clocks. Plain JSON. */
export interface MeterStateSnapshot {
  energy: MeterEnergySnapshot;
  /** `[windowStart, version]` of rows not yet final (a final row's version lives in its segment). */
  versions: Array<[number, number]>;
  /** Partition stream time at the meter's last reading: the TTL clock. */
  touchedAt: number;
  /** The meter's own stream time (absent in snapshots from before key-level closing). */
  time?: number | null;
}

/**
 * One meter, live: MeterEnergy, the version of each of its open rows, and its own stream time — the highest ts
 * of its readings, or (live mode) where idling took it: a meter without readings for `idleMs` of wall time
 * advances with the wall clock from its last event time, as a partition does. Its windows are sealed by this
 * time only, never by another meter's.
 *
 * Versions live here and in the final segments, in the checkpoint, so after a restart they continue and never
 * repeat: an upsert `WHERE version < EXCLUDED.version` then never goes backwards and never loses a change.
 */
export class MeterState {
  readonly energy: MeterEnergy;
  private readonly versions: Map<number, number>;
  touchedAt: number;
  /** The meter's own stream time. */
  time: number;
  /** Own stream time at the last reading: idling advances from here. Not checkpointed. */
  private anchorTime: number;
  /** Wall-clock time of the last reading (or of the restore). Not checkpointed. */
  lastActivity: number;

  constructor(
    readonly segments: FinalSegments,
    snapshot: MeterStateSnapshot | undefined,
    now: number,
  ) {
    this.energy = new MeterEnergy(snapshot?.energy, segments);
    this.versions = new Map(snapshot?.versions ?? []);
    this.touchedAt = snapshot?.touchedAt ?? Number.NEGATIVE_INFINITY;
    this.time = snapshot?.time ?? Number.NEGATIVE_INFINITY;
    this.anchorTime = this.time;
    this.lastActivity = now;
  }

  /** A reading of this meter with event time `ts`, at wall time `now`. */
  observe(ts: number, now: number): void {
    if (ts > this.time) this.time = ts;
    this.anchorTime = this.time;
    this.lastActivity = now;
  }

  /** Live mode: after `idleMs` without readings the meter's time follows the wall clock (true when it moved). */
  idle(now: number, idleMs: number): boolean {
    const quiet = now - this.lastActivity;
    if (quiet < idleMs || !Number.isFinite(this.anchorTime)) return false;
    const t = this.anchorTime + quiet;
    if (t <= this.time) return false;
    this.time = t;
    return true;
  }

  /** Wall time at which idling brings the meter's time to `time` (given no reading comes first). */
  wallTimeAt(time: number): number {
    return this.lastActivity + (time - this.anchorTime);
  }

  /**
   * The version (and revision) of this change of the row. An open row: one more than the last. A final row: one
   * more than the last too, its revision one more when it `restates` a row already published as final; both are
   * kept in its segment (the open version is then forgotten).
   */
  publish(row: EnergyWindowRow, restates: boolean): { version: number; revision: number } {
    const open = this.versions.get(row.windowStart) ?? 0;
    if (!row.isFinal) {
      this.versions.set(row.windowStart, open + 1);
      return { version: open + 1, revision: 0 };
    }
    this.versions.delete(row.windowStart);
    const segment = this.segments.get(row.windowStart);
    const version = Math.max(open, segment?.version ?? 0) + 1;
    const revision = (segment?.revision ?? 0) + (restates ? 1 : 0);
    if (segment) this.segments.set(row.windowStart, { ...segment, version, revision });
    return { version, revision };
  }

  snapshot(): MeterStateSnapshot {
    return {
      energy: this.energy.snapshot(),
      versions: [...this.versions],
      touchedAt: this.touchedAt,
      time: Number.isFinite(this.time) ? this.time : null,
    };
  }
}
