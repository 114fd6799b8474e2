import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { streamingClientOptions } from '@switchboard/service';
import { StreamingClient } from '@switchboard/streams';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AlertSettingsStore } from './alerts/alert-settings-store';
import { billingCommand } from './billing/billing-command';
import { kafkaConnection, openPool } from './db';
import { KeyStore } from './keys/key-store';
import { groupPrefixArg, namespaceArg, replayCommand } from './replay/replay-command';
import { DEMO_SIMULATION } from './simulate/demo';
import { DEFAULT_SIMULATION, type SimulationOptions } from './simulate/generator';
import { seedFrom } from './simulate/rng';
import { runSimulation } from './simulate/run-simulation';
import { IngestSender } from './simulate/sender';
import { tokensCommand } from './tokens/tokens-command';
import { topicsCommand } from './topics/topics-command';
import { verifyTenant } from './verify/verify';

function positive(name: string) {
  return (v: string) => {
    const n = Number(v);
    if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`${name} must be a positive number`);
    return n;
  };
}

function parseStart(v: string): number {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('start must be epoch ms or an ISO date-time');
  return ms;
}

async function withAlertSettings<T>(work: (store: AlertSettingsStore) => Promise<T>): Promise<T> {
  const pool = openPool();
  try {
    return await work(new AlertSettingsStore(pool));
  } finally {
    await pool.end();
  }
}

async function withKeys<T>(work: (keys: KeyStore) => Promise<T>): Promise<T> {
  const pool = openPool();
  try {
    return await work(new KeyStore(pool));
  } finally {
    await pool.end();
  }
}

const program = new Command('switchboard').description('Switchboard operator commands').showHelpAfterError();

const keys = program.command('keys').description('API keys of tenants (stored hashed in Postgres)');
keys
  .command('create')
  .description('create a key for a tenant (the tenant is created when missing); the key is printed once')
  .requiredOption('--tenant <tenant>', 'tenant id')
  .option('--label <label>', 'what the key is for')
  .action(async (o: { tenant: string; label?: string }) => {
    const created = await withKeys((k) => k.create(o.tenant, o.label));
    process.stderr.write(`created key ${created.keyId} for tenant ${created.tenant}; it is shown only now:\n`);
    process.stdout.write(`${created.key}\n`);
  });
keys
  .command('revoke')
  .description('revoke a key by its id (the 16 hex characters after "sbk_")')
  .argument('<keyId>')
  .action(async (keyId: string) => {
    const r = await withKeys((k) => k.revoke(keyId));
    process.stdout.write(`revoked ${keyId} of tenant ${r.tenant} at ${r.revokedAt.toISOString()}\n`);
  });
keys
  .command('list')
  .description("list a tenant's keys (ids and labels, never the keys)")
  .requiredOption('--tenant <tenant>')
  .action(async (o: { tenant: string }) => {
    for (const k of await withKeys((s) => s.list(o.tenant))) {
      process.stdout.write(
        `${k.keyId}\t${k.label ?? ''}\t${k.createdAt.toISOString()}\t${k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'}\n`,
      );
    }
  });

const alerts = program
  .command('alerts')
  .description("alert rules: a tenant's thresholds (read by the aggregator within 10 s) and its alerts");
alerts
  .command('thresholds')
  .description('what applies to a tenant for every rule, and whether the tenant or the default set it')
  .requiredOption('--tenant <tenant>')
  .action(async (o: { tenant: string }) => {
    for (const s of await withAlertSettings((a) => a.effective(o.tenant))) {
      process.stdout.write(`${s.rule}\t${s.threshold} ${s.unit}\t${s.enabled ? 'enabled' : 'disabled'}\t${s.source}\n`);
    }
  });
alerts
  .command('set')
  .description("set a rule's threshold and/or switch it on or off for a tenant")
  .requiredOption('--tenant <tenant>')
  .requiredOption(
    '--rule <rule>',
    'queue_service_level_low | queue_longest_wait_high | meter_silent | meter_energy_spike',
  )
  .option('--threshold <value>', 'fraction, seconds or factor (see `alerts thresholds`)', Number)
  .option('--enable', 'switch the rule on')
  .option('--disable', 'switch the rule off (a firing alert resolves)')
  .action(async (o: { tenant: string; rule: string; threshold?: number; enable?: boolean; disable?: boolean }) => {
    if (o.enable && o.disable) throw new InvalidArgumentError('--enable and --disable exclude each other');
    if (o.threshold === undefined && !o.enable && !o.disable)
      throw new InvalidArgumentError('give --threshold, --enable or --disable');
    const enabled = o.enable ? true : o.disable ? false : undefined;
    await withAlertSettings((a) => a.set(o.tenant, o.rule, { threshold: o.threshold, enabled }));
    process.stdout.write(`set ${o.rule} for tenant ${o.tenant}\n`);
  });
alerts
  .command('reset')
  .description('back to the default for a rule')
  .requiredOption('--tenant <tenant>')
  .requiredOption('--rule <rule>')
  .action(async (o: { tenant: string; rule: string }) => {
    await withAlertSettings((a) => a.reset(o.tenant, o.rule));
    process.stdout.write(`${o.rule} of tenant ${o.tenant} follows the default again\n`);
  });
alerts
  .command('list')
  .description("a tenant's alerts, newest first")
  .requiredOption('--tenant <tenant>')
  .option('--firing', 'only those firing now')
  .option('--limit <n>', 'at most this many', positive('limit'), 50)
  .action(async (o: { tenant: string; firing?: boolean; limit: number }) => {
    const rows = await withAlertSettings((a) => a.alerts(o.tenant, { firingOnly: o.firing === true, limit: o.limit }));
    for (const r of rows) {
      process.stdout.write(
        `${r.firedAt.toISOString()}\t${r.state}${r.resolvedAt ? ` ${r.resolvedAt.toISOString()}` : ''}\t${r.severity}\t${r.rule}\t${r.entityType} ${r.entityId}\t${r.message}\n`,
      );
    }
  });

const PROFILES: Record<string, Omit<SimulationOptions, 'seed' | 'start'>> = {
  default: DEFAULT_SIMULATION,
  demo: DEMO_SIMULATION,
};
const fromProfile = (what: (p: Omit<SimulationOptions, 'seed' | 'start'>) => unknown) =>
  `(by --profile: ${Object.entries(PROFILES)
    .map(([name, p]) => `${name} ${what(p)}`)
    .join(', ')})`;

program
  .command('simulate')
  .description('realistic contact-centre and meter traffic through the ingest HTTP API')
  .addOption(
    new Option(
      '--profile <name>',
      'demo: 7 named queues with their own agents, 4 sites, a load floor at night, queue incidents and meter spikes that raise and resolve alerts, 2 h of meter readings backfilled',
    )
      .choices(Object.keys(PROFILES))
      .default('default'),
  )
  .option('--url <url>', 'ingest base URL', process.env.INGEST_URL ?? 'http://127.0.0.1:3000')
  .addOption(new Option('--key <key>', 'API key (or SWITCHBOARD_API_KEY)').env('SWITCHBOARD_API_KEY'))
  .option('--tenant <tenant>', 'create a key for this tenant in Postgres instead of passing --key')
  .option('--seed <seed>', 'same seed and --start, same events', '1')
  .option(
    '--start <time>',
    'simulated start (ISO or epoch ms); default now, or now − duration when faster than real time',
    parseStart,
  )
  .option(
    '--duration <minutes>',
    `simulated minutes ${fromProfile((p) => p.durationMs / 60_000)}`,
    positive('duration'),
  )
  .option('--speed <factor>', "simulated time per wall time, or 'max'", '1')
  .option(
    '--calls-per-minute <n>',
    `call arrivals per minute at the daily peak ${fromProfile((p) => p.callsPerMinute)}`,
    positive('calls-per-minute'),
  )
  .option('--agents <n>', `agents ${fromProfile((p) => p.agents)}`, positive('agents'))
  .option('--queues <list>', `comma-separated queue ids ${fromProfile((p) => p.queues.join(','))}`)
  .option('--meters <n>', `meters ${fromProfile((p) => p.meters)}`, Number)
  .option(
    '--meter-interval <seconds>',
    `seconds between readings of a meter ${fromProfile((p) => p.meterIntervalMs / 1000)}`,
    positive('meter-interval'),
  )
  .option(
    '--rate <factor>',
    'load: call arrivals per minute × factor, meter readings factor × as often',
    positive('rate'),
    1,
  )
  .option('--anomaly-scale <x>', 'multiplies the rates of duplicate, out-of-order, late readings and resets', Number, 1)
  .option('--batch <n>', 'events per request at most', positive('batch'), 500)
  .option('--retries <n>', 'attempts per request', positive('retries'), 10)
  .option('--out <file>', 'also write the exact events sent, as NDJSON')
  .option('--no-send', 'only write --out, send nothing')
  .option('--no-progress', 'no progress line')
  .action(async (o) => {
    const profile = PROFILES[o.profile as string];
    const speed = o.speed === 'max' ? Number.POSITIVE_INFINITY : positive('speed')(o.speed);
    const durationMs = Math.round((o.duration ?? profile.durationMs / 60_000) * 60_000);
    const start = o.start ?? (speed === 1 ? Date.now() : Date.now() - durationMs);
    const a = profile.anomalies;
    const s = o.anomalyScale as number;
    const simulation: SimulationOptions = {
      ...profile,
      seed: seedFrom(String(o.seed)),
      start,
      durationMs,
      queues: o.queues === undefined ? profile.queues : String(o.queues).split(',').filter(Boolean),
      agents: Math.round(o.agents ?? profile.agents),
      callsPerMinute: (o.callsPerMinute ?? profile.callsPerMinute) * o.rate,
      meters: Math.max(0, Math.round(o.meters ?? profile.meters)),
      meterIntervalMs: Math.max(1, Math.round(((o.meterInterval ?? profile.meterIntervalMs / 1000) * 1000) / o.rate)),
      anomalies: { duplicate: a.duplicate * s, outOfOrder: a.outOfOrder * s, late: a.late * s, reset: a.reset * s },
    };
    let key: string | undefined = o.key;
    if (o.send && !key && o.tenant) key = (await withKeys((k) => k.create(o.tenant, 'simulator'))).key;
    if (o.send && !key)
      throw new InvalidArgumentError('pass --key (or SWITCHBOARD_API_KEY), or --tenant to create one');
    if (!o.send && !o.out) throw new InvalidArgumentError('--no-send needs --out');
    const sender =
      o.send && key ? new IngestSender({ url: o.url.replace(/\/$/, ''), key, retries: o.retries }) : undefined;
    const { emitted } = await runSimulation({
      simulation,
      speed,
      batchSize: o.batch,
      sender,
      outFile: o.out,
      progress: o.progress,
    });
    const st = sender?.stats;
    process.stderr.write(
      `simulated ${emitted} events from ${new Date(start).toISOString()} (seed ${o.seed})` +
        (st ? `: ${st.accepted} accepted, ${st.rejected} rejected, ${st.retried} retried\n` : '\n'),
    );
    for (const r of st?.rejections ?? []) process.stderr.write(`  rejected: ${r}\n`);
  });

program
  .command('verify')
  .description(
    "recompute a tenant's aggregates in batch from the input topics and print every difference from Postgres",
  )
  .requiredOption('--tenant <tenant>', 'tenant id')
  .option('--from <time>', 'compare windows starting at or after (ISO or epoch ms)', parseStart)
  .option('--to <time>', 'compare windows starting before (ISO or epoch ms)', parseStart)
  .option('--namespace <ns>', 'topic namespace (SWITCHBOARD_TOPIC_NAMESPACE)', process.env.SWITCHBOARD_TOPIC_NAMESPACE)
  .action(async (o: { tenant: string; from?: number; to?: number; namespace?: string }) => {
    const client = new StreamingClient(streamingClientOptions(kafkaConnection(), 'switchboard-verify'));
    const pool = openPool();
    try {
      const report = await verifyTenant(client, pool, {
        ...o,
        onProgress: (read) => process.stderr.write(`\rread ${read} events of ${o.tenant}…`),
      });
      process.stderr.write('\n');
      for (const d of report.differences) {
        process.stdout.write(
          `${d.table}\t${d.row}\texpected ${d.expected ?? '(no row)'}\tstored ${d.stored ?? '(no row)'}\n`,
        );
      }
      process.stdout.write(
        `${report.differences.length} differences in ${report.rowsCompared} rows, recomputed from ${report.events} events (${report.unreadable} unreadable)\n`,
      );
      if (report.differences.length > 0) process.exitCode = 1;
    } finally {
      await client.close();
      await pool.end();
    }
  });

program
  .command('replay')
  .description(
    "rebuild every aggregate table from the events topics in the aggregator's consumer groups, with progress (stop the aggregators first)",
  )
  .option('--yes', 'do not ask for confirmation (required when stdin is not a terminal)')
  .option(
    '--group-prefix <prefix>',
    'consumer groups <prefix>.* (AGGREGATOR_GROUP_PREFIX, default aggregator)',
    groupPrefixArg,
  )
  .option('--namespace <ns>', 'topic namespace (SWITCHBOARD_TOPIC_NAMESPACE)', namespaceArg)
  .action(replayCommand);

program.addCommand(billingCommand());
program.addCommand(tokensCommand());
program.addCommand(topicsCommand());

program
  .command('bench')
  .description('the benchmarks, as `npm run bench`: brings up what they need, prints a table per suite')
  .argument('[suites...]', 'streams, ingest, processing, aggregator … (default: every suite)')
  .allowUnknownOption()
  .action((_suites: string[], _o: unknown, cmd: Command) => {
    const bench = spawn(process.execPath, [resolve(__dirname, '../../../scripts/bench.mjs'), ...cmd.args], {
      stdio: 'inherit',
    });
    process.on('SIGINT', () => {}); // Ctrl-C reaches the bench too: wait while it stops what it started
    return new Promise<void>((done) =>
      bench.on('exit', (code) => {
        process.exitCode = code ?? 1;
        done();
      }),
    );
  });

program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`switchboard: ${err.message}\n`);
  process.exit(1);
});
