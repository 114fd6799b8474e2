import { type IngestEvent, parseEvent } from '@switchboard/domain';
import { DEFAULT_SIMULATION, type SimulationOptions, simulate } from '../../../apps/cli/src/simulate/generator';

/** The simulator's events, parsed as ingest parses them (an invalid one is a simulator bug and throws). */
export function simulatedEvents(options: Partial<SimulationOptions> & Pick<SimulationOptions, 'seed' | 'start'>) {
  const events: IngestEvent[] = [];
  for (const emission of simulate({ ...DEFAULT_SIMULATION, ...options })) {
    const parsed = parseEvent(emission.event);
    if (!parsed.ok) throw new Error(`simulator produced an invalid event: ${parsed.error}`);
    events.push(parsed.event);
  }
  return events;
}

/** A small site for an hour: 60 meters every 10 s, 30 calls a minute at the peak, 20 agents (≈ 25k events). */
export const SMALL_SITE: Partial<SimulationOptions> = {
  durationMs: 3600_000,
  meters: 60,
  meterIntervalMs: 10_000,
  callsPerMinute: 30,
  agents: 20,
  anomalies: { duplicate: 0.005, outOfOrder: 0.01, late: 0.005, reset: 0.001 },
  lateByMs: 20 * 60_000,
};
