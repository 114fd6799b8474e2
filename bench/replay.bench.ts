import { StreamingClient } from '@switchboard/streams';
import { Pool } from 'pg';
import { loadAggregatorConfig } from '../apps/aggregator/src/config';
import { runReplay } from '../apps/aggregator/src/replay/run-replay';
import { standaloneStreamsPublisher } from '../apps/ingest/src/publishing/streams-event-publisher';
import { testClientOptions, testEnv, uniqueName } from '../test/support/env';
import { freshMigratedDatabase } from '../test/support/replay-database';
import { BACKLOG_MINUTES, publishBacklog } from './backlog';
import { type BenchRow, type BenchSuite, cpuMicros, perSecond } from './harness';

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A digest of every aggregate row's numbers (not versions or write times): equal digests, equal tables. */
async function tablesDigest(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ d: string }>(`
    SELECT md5(
      (SELECT coalesce(string_agg(q::text, '|' ORDER BY q.tenant, q.queue, q.window_start), '') FROM (
        SELECT tenant, queue, window_start, offered, answered, abandoned, answered_in_sla, abandoned_short,
               answered_wait_ms_sum, wait_ms_sum, max_wait_ms, talk_ms_sum, talk_count, is_final FROM queue_stats_1m) q)
      || (SELECT coalesce(string_agg(e::text, '|' ORDER BY e.tenant, e.meter_id, e.window_start), '') FROM (
        SELECT tenant, meter_id, window_start, energy_mwh, readings, max_power_w, resets, is_final
        FROM meter_energy_15m) e)
      || (SELECT coalesce(string_agg(a::text, '|' ORDER BY a.tenant, a.agent_id), '') FROM (
        SELECT tenant, agent_id, status, since FROM agent_status) a)) AS d`);
  return rows[0].d;
}

/**
 * `switchboard replay` as an operator runs it, in this process: the aggregator's backlog simulation (both domains)
 * is published to a fresh topic namespace as ingest publishes it, then the replay rebuilds every table from it
 * into a database of its own (a replay empties whole tables). Run twice over the same log: the second run is the
 * determinism check (same rows) and shows the cost of a warm process. The clock is the replay's own (pipelines'
 * start until rebuilt); CPU is this process's, which runs the pipelines and the relay (Postgres and the broker
 * are extra).
 */
export function replaySuite(): BenchSuite {
  return {
    name: 'replay',
    description: `switchboard replay over a ${BACKLOG_MINUTES}-minute simulated backlog (meters, calls, agents), in-process, into a fresh database; twice`,
    run,
  };
}

async function run(log: (line: string) => void): Promise<BenchRow[]> {
  const namespace = uniqueName('bench-replay');
  const tenant = uniqueName('bench-tenant');
  const db = await freshMigratedDatabase('bench_replay');
  const pool = new Pool({ connectionString: db.url, max: 10 });
  const client = new StreamingClient({ ...testClientOptions('bench-replay'), logger: quiet });
  const publisher = standaloneStreamsPublisher({
    brokers: testEnv.brokers,
    clientId: 'bench-replay-publisher',
    kafka: testEnv.kafka,
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });
  const config = loadAggregatorConfig({
    ...process.env,
    DATABASE_URL: db.url,
    KAFKA_BROKERS: testEnv.brokers.join(','),
  });
  const settings = { ...config, groupPrefix: uniqueName('bench-replay'), topicNamespace: namespace };
  const rows: BenchRow[] = [];
  try {
    const backlog = await publishBacklog(publisher, tenant);
    log(`namespace ${namespace}; ${backlog.summary}`);
    let firstDigest: string | undefined;
    for (const run of ['first', 'second']) {
      const cpu0 = cpuMicros();
      let lastLog = 0;
      const summary = await runReplay({ client, pool, logger: quiet }, settings, {
        timeoutMs: 300_000,
        onProgress: (p) => {
          if (performance.now() - lastLog < 5000) return;
          lastLog = performance.now();
          log(`  ${run}: ${p.phase}, ${p.replayed.toLocaleString()} / ${p.total.toLocaleString()} records`);
        },
      });
      const cpuS = (cpuMicros() - cpu0) / 1e6;
      const digest = await tablesDigest(pool);
      firstDigest ??= digest;
      rows.push({
        run,
        events: backlog.events.length,
        records: summary.records,
        seconds: Number(summary.seconds.toFixed(1)),
        'events/s': perSecond(backlog.events.length, summary.seconds * 1000),
        'records/s': Math.round(summary.recordsPerSecond),
        'cpu µs / event': Math.round((cpuS * 1e6) / backlog.events.length),
        'peak rss MiB': Math.round(process.resourceUsage().maxRSS / 1024),
        'rows (queue/meter/agent)': `${summary.rows.queue_stats_1m} / ${summary.rows.meter_energy_15m} / ${summary.rows.agent_status}`,
        'tables equal the first run': run === 'first' ? '' : digest === firstDigest ? 'yes' : 'NO',
      });
    }
    return rows;
  } finally {
    await publisher.close().catch(() => undefined);
    await client.close().catch(() => undefined);
    await pool.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
  }
}
