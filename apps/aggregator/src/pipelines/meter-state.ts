import type { EnergyWindowRow } from '../energy';
import { MeterEnergy, type MeterEnergySnapshot } from '../energy';

/** A meter's checkpointed state: its energy model, the version of each open row, the TTL clock. Plain JSON. */
export interface MeterStateSnapshot {
  energy: MeterEnergySnapshot;
  /** `[windowStart, version]` of rows not yet final (a final row's version is never needed again). */
  versions: Array<[number, number]>;
  /** Partition stream time at the meter's last reading: the TTL clock. */
  touchedAt: number;
}

/**
 * One meter, live: MeterEnergy plus the version of each of its open rows. Versions live here, in the checkpoint,
 * so after a restart they continue and never repeat: an upsert `WHERE version < EXCLUDED.version` then never
 * goes backwards and never loses a change.
 */
export class MeterState {
  readonly energy: MeterEnergy;
  private readonly versions: Map<number, number>;
  touchedAt: number;

  constructor(snapshot?: MeterStateSnapshot) {
    this.energy = new MeterEnergy(snapshot?.energy);
    this.versions = new Map(snapshot?.versions ?? []);
    this.touchedAt = snapshot?.touchedAt ?? Number.NEGATIVE_INFINITY;
  }

  /** The version of this change of the row: one more than the last. A final row's version is then forgotten. */
  nextVersion(row: EnergyWindowRow): number {
    const version = (this.versions.get(row.windowStart) ?? 0) + 1;
    if (row.isFinal) this.versions.delete(row.windowStart);
    else this.versions.set(row.windowStart, version);
    return version;
  }

  snapshot(): MeterStateSnapshot {
    return { energy: this.energy.snapshot(), versions: [...this.versions], touchedAt: this.touchedAt };
  }
}
