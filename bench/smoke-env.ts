// `npm run bench -- --smoke`: tiny inputs, one run of every job, so each suite and peer runs and prints its
// figures in seconds (nothing is asserted about speed). Imported first by run.ts, because the suites read their
// sizes from the environment when they load; sizes set explicitly in the environment still win.
const smoke = process.argv.includes('--smoke');

if (smoke) {
  const tiny: Record<string, string> = {
    BENCH_SMOKE: '1',
    BENCH_STREAMS_ROWS: '2000',
    BENCH_PROCESSING_ROWS: '2000',
    BENCH_INGEST_SECONDS: '1',
    BENCH_AGGREGATOR_BACKLOG_MINUTES: '2',
    BENCH_AGGREGATOR_LIVE_SECONDS: '2',
    BENCH_GATEWAY_SECONDS: '1',
    BENCH_GATEWAY_CLIENTS: '5',
    BENCH_GATEWAY_RATES: '200',
    BENCH_GATEWAY_BROWSER_RATE: '200',
    BENCH_GATEWAY_BROWSER_SECONDS: '2',
    BENCH_GATEWAY_WALLBOARD_QUEUES: '5',
    BENCH_GATEWAY_WALLBOARD_AGENTS: '10',
    BENCH_GATEWAY_ENERGY_METERS: '50',
    BENCH_GATEWAY_ENERGY_SITES: '2',
    BENCH_E2E_RATES: '200',
    BENCH_E2E_SECONDS: '2',
    BENCH_E2E_METERS: '200',
    // Failover takes the group's session timeout (10 s) and a rebalance: the load after the kill must outlast them.
    BENCH_RECOVERY_RATE: '200',
    BENCH_RECOVERY_BEFORE_SECONDS: '2',
    BENCH_RECOVERY_AFTER_SECONDS: '20',
    BENCH_RECOVERY_METERS: '200',
  };
  for (const [k, v] of Object.entries(tiny)) process.env[k] ??= v;
}
