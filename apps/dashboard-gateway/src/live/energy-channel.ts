import type { MeterEnergy15mRow } from '@switchboard/domain';
import type { ChannelLog, LiveRow } from './channel-log';
import { EnergyOverview, type MeterInfo } from './energy-overview';

/** What an `energy` channel reads from Postgres (postgres-fill.ts). */
export interface EnergyLoader {
  /** The tenant's meters (`null`: all of them), or these ids — each given id answered, with no site when unknown. */
  meters(tenant: string, meterIds: readonly string[] | null): Promise<MeterInfo[]>;
  /** The tenant's meter windows that started at or after `sinceMs`. */
  windows(tenant: string, sinceMs: number): Promise<MeterEnergy15mRow[]>;
}

/** Meters first seen after the load whose rows wait for their site (a lookup), at most. */
const MAX_PENDING_METERS = 2000;

/**
 * The feed of one tenant's `energy` channel: loads its meters, then their windows of the horizon, into an
 * EnergyOverview, and applies live windows from then on. Rows arriving before the meters are known are dropped:
 * they were committed before the window query that follows, so it reads them. A meter first seen later (no
 * properties yet when the channel loaded) waits for one lookup of its site; its rows meanwhile are held.
 */
export class EnergyFeed {
  readonly overview: EnergyOverview;
  private metersKnown = false;
  private readonly pending = new Map<string, MeterEnergy15mRow[]>();
  private lookup: Promise<void> | undefined;

  constructor(
    private readonly tenant: string,
    horizonMs: number,
    private readonly loader: EnergyLoader,
    private readonly log: ChannelLog,
    private readonly now: () => number,
  ) {
    this.overview = new EnergyOverview(tenant, horizonMs);
  }

  async load(sinceMs: number): Promise<void> {
    for (const info of await this.loader.meters(this.tenant, null)) this.put(this.overview.addMeter(info, this.now()));
    this.metersKnown = true;
    for (const row of await this.loader.windows(this.tenant, sinceMs)) this.apply(row);
  }

  apply(row: MeterEnergy15mRow): void {
    if (!this.metersKnown) return;
    if (this.overview.has(row.meter_id)) {
      this.put(this.overview.apply(row, this.now()));
      return;
    }
    const waiting = this.pending.get(row.meter_id);
    if (waiting) waiting.push(row);
    else if (this.pending.size < MAX_PENDING_METERS) this.pending.set(row.meter_id, [row]);
    this.lookup ??= this.lookUpPending();
  }

  tick(): void {
    this.put(this.overview.tick(this.now()));
  }

  /** Looks the waiting meters up (one query), then applies their rows; a failed lookup is retried by the next row. */
  private async lookUpPending(): Promise<void> {
    // Let the rows of one poll arrive first: one lookup for them all.
    await new Promise((r) => setImmediate(r));
    const ids = [...this.pending.keys()];
    try {
      for (const info of await this.loader.meters(this.tenant, ids)) {
        this.put(this.overview.addMeter(info, this.now()));
        const rows = this.pending.get(info.meterId) ?? [];
        this.pending.delete(info.meterId);
        for (const row of rows) this.put(this.overview.apply(row, this.now()));
      }
    } catch {
      // Kept pending: the next row of such a meter starts another lookup.
    } finally {
      this.lookup = undefined;
    }
  }

  private put(rows: readonly LiveRow[]): void {
    for (const r of rows) this.log.apply(r);
  }
}
