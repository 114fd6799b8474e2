import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { testEnv } from '../../test/support/env';
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
 * state-dir …extraArgs), timed from its "first" marker to its "done" (the group's committed offsets at the input's
 * end); its output topic is then read and compared with `ours` (the note says "vs ours: equal (n windows)" or what
 * differs). Its output, internal topics and state dir are deleted afterwards.
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
  await admin.createTopics({
    topics: [{ topic: output, numPartitions: 2, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  try {
    const run = await runJava(job.mainClass, [
      brokers.join(','),
      input,
      output,
      appId,
      String(threads),
      String(commitMs),
      stateDir,
      ...(job.extraArgs ?? []),
    ]);
    const first = run.events.find((e) => e.json.event === 'first');
    const done = run.events.find((e) => e.json.event === 'done');
    if (!first || !done) throw new Error(`Kafka Streams peer printed no first/done: ${run.out.slice(-500)}`);
    const theirs = await readLatest(output, job.decode);
    return {
      rows: Number(done.json.rows),
      ms: done.at - first.at,
      cpuMicros: done.cpuMicros - first.cpuMicros,
      machineJiffies: done.machine.busy - first.machine.busy,
      peakRssMiB: run.peakRssMiB,
      note: `vs ours: ${compareSums(ours, theirs)}`,
      done: done.json,
    };
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    const internal = (await admin.listTopics()).filter((t) => t.startsWith(appId));
    await admin.deleteTopics({ topics: [output, ...internal] }).catch(() => undefined);
  }
}

/** The output topic's latest value per key (`<stream>@<window start>` → value), committed transactions only. */
async function readLatest<V>(topic: string, decode: (value: Buffer) => V): Promise<Map<string, V>> {
  const kafka = new Kafka({ clientId: `bench-peers-read-${uid()}`, brokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-peers-read-${uid()}`, readUncommitted: false });
  const latest = new Map<string, V>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let lastAt = performance.now();
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!m.key || !m.value) continue;
          latest.set(m.key.toString(), decode(m.value));
        }
        lastAt = performance.now();
      },
    });
    // The output is complete (the peer exited after its last commit): read until nothing came for 5 s (on a
    // machine at load 15 a pause of 2 s can be a gap between fetches rather than the end).
    const t0 = performance.now();
    while (performance.now() - lastAt < 5000 || (latest.size === 0 && performance.now() - t0 < 20_000))
      await new Promise((r) => setTimeout(r, 200));
  } finally {
    await consumer.disconnect();
  }
  return latest;
}
