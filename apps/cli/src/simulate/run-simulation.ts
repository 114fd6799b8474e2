import { createWriteStream, type WriteStream } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { type Emission, type SimEvent, type SimulationOptions, simulate, simulationProperties } from './generator';
import type { IngestSender } from './sender';

export interface RunOptions {
  simulation: SimulationOptions;
  /** Simulated ms per wall ms; `Infinity` sends as fast as the API takes it. */
  speed: number;
  batchSize: number;
  /** Where to send (absent: only write the file). */
  sender?: IngestSender;
  /** Writes every emitted event, in send order, as NDJSON. */
  outFile?: string;
  progress: boolean;
}

/**
 * At most this much simulated time in one request. Ingest packs each entity's events of a request into one
 * message, so a request spanning more than the aggregator's grace (60 s by default) would make other
 * entities' earlier events late. Live sources send seconds of data per request; so does the simulator.
 */
export const MAX_REQUEST_SPAN_MS = 10_000;

/** Drives the generator against the clock (or flat out), in batches, with a progress line. */
export async function runSimulation(o: RunOptions): Promise<{ emitted: number }> {
  const sim = o.simulation;
  if (o.sender) await setProperties(o.sender, sim);
  const out = o.outFile ? createWriteStream(o.outFile) : undefined;
  const bar = o.progress
    ? new SingleBar({
        format: ' {bar} {percentage}% | {eps} ev/s | sent {sent} | rejected {rejected} | retried {retried}',
        noTTYOutput: true,
        notTTYSchedule: 5000,
        hideCursor: true,
      })
    : undefined;
  const wallStart = Date.now();
  bar?.start(sim.durationMs, 0, { eps: 0, sent: 0, rejected: 0, retried: 0 });
  let batch: SimEvent[] = [];
  let batchFrom = 0;
  let emitted = 0;

  const flush = async () => {
    if (batch.length === 0) return;
    const events = batch;
    batch = [];
    if (out) await write(out, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    if (o.sender) await o.sender.sendEvents(events);
  };
  const report = (e: Emission) => {
    const s = o.sender?.stats;
    const elapsed = Math.max(1, Date.now() - wallStart) / 1000;
    bar?.update(Math.min(sim.durationMs, e.sendAt - sim.start), {
      eps: Math.round((s?.accepted ?? emitted) / elapsed),
      sent: s?.sent ?? emitted,
      rejected: s?.rejected ?? 0,
      retried: s?.retried ?? 0,
    });
  };

  try {
    for (const e of simulate(sim)) {
      if (Number.isFinite(o.speed)) {
        const due = wallStart + (e.sendAt - sim.start) / o.speed;
        if (due > Date.now()) {
          await flush();
          report(e);
          await new Promise((r) => setTimeout(r, due - Date.now()));
        }
      }
      if (batch.length > 0 && e.sendAt - batchFrom > MAX_REQUEST_SPAN_MS) await flush();
      if (batch.length === 0) batchFrom = e.sendAt;
      batch.push(e.event);
      emitted++;
      if (batch.length >= o.batchSize) {
        await flush();
        report(e);
      }
    }
    await flush();
    bar?.update(sim.durationMs);
  } finally {
    bar?.stop();
    if (out) await new Promise((r) => out.end(r));
  }
  return { emitted };
}

async function setProperties(sender: IngestSender, sim: SimulationOptions): Promise<void> {
  const { queues, meters } = simulationProperties(sim);
  for (const { queue, ...props } of queues) await sender.put(`/v1/queues/${queue}`, props);
  for (const { meterId, ...props } of meters) await sender.put(`/v1/meters/${meterId}`, props);
}

function write(stream: WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}
