import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';
import { testEnv } from '../../test/support/env';
import { createTopicsWithLeaders } from '../create-topics';
import { compareSums, type Sample, uid } from './figures';
import { runJava } from './jvm';

const { brokers } = testEnv;

/** A Kafka Streams job of bench/peers/kafka-streams: its main class, the args after its state dir, its output's value. */
export interface KafkaStreamsJob<V> {
  mainClass: string;
  extraArgs?: string[];
  /** One output record's value as what our rows are compared by (a sum, or a few columns as text). */
  decode(value: Buffer): V;
}

/**
 * One run of a Kafka Streams peer over `input` (args: bootstrap input output application-id threads commit-ms
 * state-dir output-file …extraArgs), timed from its "first" marker to its "done" (the group's committed offsets at
 * the input's end); the peer then reads its output read-committed to the end offsets (its positions count the
 * transaction markers, so the read is complete, not cut at a quiet moment) into output-file, the last value per
 * key, which is compared with `ours` (the note says "vs ours: equal (n windows)" or what differs, and how many
 * records Kafka Streams dropped as late). Its output, internal topics and state dir are deleted afterwards.
 */
export async function kafkaStreamsRun<V>(
  admin: Admin,
  job: KafkaStreamsJob<V>,
  input: string,
  threads: number,
  commitMs: number,
  ours: Map<string, V>,
): Promise<Sample & { done: Record<string, unknown> }> {
  const id = uid();
  const output = `bench-peers-ks-out-${id}`;
  const appId = `bench-peers-ks-${id}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-peers-ks-'));
  const outputFile = join(stateDir, 'output.tsv');
  await createTopicsWithLeaders(admin, [{ topic: output, numPartitions: 2, replicationFactor: 1 }]);
  try {
    const run = await runJava(job.mainClass, [
      brokers.join(','),
      input,
      output,
      appId,
      String(threads),
      String(commitMs),
      join(stateDir, 'state'),
      outputFile,
      ...(job.extraArgs ?? []),
    ]);
    const first = run.events.find((e) => e.json.event === 'first');
    const done = run.events.find((e) => e.json.event === 'done');
    const written = run.events.find((e) => e.json.event === 'output');
    if (!first || !done || !written)
      throw new Error(`Kafka Streams peer printed no first/done/output: ${run.out.slice(-500)}`);
    const theirs = latestPerKey(readFileSync(outputFile, 'utf8'), job.decode);
    return {
      rows: Number(done.json.rows),
      ms: done.at - first.at,
      cpuMicros: done.cpuMicros - first.cpuMicros,
      machineJiffies: done.machine.busy - first.machine.busy,
      peakRssMiB: run.peakRssMiB,
      note: `vs ours: ${compareSums(ours, theirs)}${peerDiagnosis(done.json, theirs.size)}`,
      done: done.json,
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    const internal = (await admin.listTopics()).filter((t) => t.startsWith(appId));
    await admin.deleteTopics({ topics: [output, ...internal] }).catch(() => undefined);
  }
}

/** The peer's output file (a line per key: key, tab, value in base64) as key → decoded value. */
export function latestPerKey<V>(text: string, decode: (value: Buffer) => V): Map<string, V> {
  const latest = new Map<string, V>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    latest.set(line.slice(0, tab), decode(Buffer.from(line.slice(tab + 1), 'base64')));
  }
  return latest;
}

/**
 * What the peer said of itself where it matters for a comparison: records it dropped (late for its task's stream
 * time), rebalances after it ran (a task revived), windows it computed that its committed output lacks.
 */
export function peerDiagnosis(done: Record<string, unknown>, outputWindows: number): string {
  const notes: string[] = [];
  const dropped = Number(done.dropped ?? 0);
  if (dropped > 0) notes.push(`Kafka Streams dropped ${dropped} records`);
  const rebalances = Number(done.rebalances ?? 0);
  if (rebalances > 0) notes.push(`${rebalances} rebalance(s) while running`);
  const forwarded = done.forwardedWindows === undefined ? undefined : Number(done.forwardedWindows);
  if (forwarded !== undefined && forwarded !== outputWindows)
    notes.push(`it computed ${forwarded} windows, its committed output holds ${outputWindows}`);
  return notes.map((n) => `; ${n}`).join('');
}
