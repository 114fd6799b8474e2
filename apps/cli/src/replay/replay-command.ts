import { databasePool, streamingClientOptions } from '@switchboard/service';
import { StreamingClient, type StreamsLogger } from '@switchboard/streams';
import { InvalidArgumentError } from 'commander';
import {
  AGGREGATE_TABLES,
  type AggregatorConfig,
  checkScope,
  loadAggregatorConfig,
  previewReplay,
  ReplayConfigError,
  ReplayRefusedError,
  type ReplaySummary,
  runReplay,
} from '../../../aggregator/src/replay';
import { confirm } from './confirm';
import { progressView } from './progress-view';

export interface ReplayCommandOptions {
  yes?: boolean;
  groupPrefix?: string;
  namespace?: string;
}

/** Exit code of a refused replay (live members, no confirmation): nothing was changed. */
export const REFUSED_EXIT_CODE = 2;

/** commander argument parsers: a bad --group-prefix / --namespace is refused before anything connects. */
export function groupPrefixArg(v: string): string {
  return asArgument(() => checkScope({ groupPrefix: v }).groupPrefix);
}

export function namespaceArg(v: string): string {
  return asArgument(() => checkScope({ groupPrefix: 'x', namespace: v }).namespace as string);
}

function asArgument(check: () => string): string {
  try {
    return check();
  } catch (err) {
    if (err instanceof ReplayConfigError) throw new InvalidArgumentError(err.message);
    throw err;
  }
}

const stderrLogger: StreamsLogger = {
  debug: () => {},
  info: () => {},
  warn: (m) => process.stderr.write(`switchboard replay: ${m}\n`),
  error: (m) => process.stderr.write(`switchboard replay: ${m}\n`),
};

/**
 * `switchboard replay`: the aggregator's configuration (AGGREGATOR_*, DATABASE_URL, KAFKA_BROKERS, the flags on
 * top), a confirmation unless --yes, then runReplay with a progress view and a summary on stdout. A refusal
 * sets exit code 2 with one sentence on stderr.
 */
export async function replayCommand(o: ReplayCommandOptions): Promise<void> {
  const config = loadAggregatorConfig({
    ...process.env,
    AGGREGATOR_MODE: 'replay',
    ...(o.groupPrefix === undefined ? {} : { AGGREGATOR_GROUP_PREFIX: o.groupPrefix }),
    ...(o.namespace === undefined ? {} : { SWITCHBOARD_TOPIC_NAMESPACE: o.namespace }),
  });
  if (!o.yes && !process.stdin.isTTY) {
    return refuse(
      'refusing to replay without confirmation: stdin is not a terminal, so pass --yes (nothing was changed)',
    );
  }
  const client = new StreamingClient({
    ...streamingClientOptions(config.kafka, 'switchboard-replay'),
    logger: stderrLogger,
  });
  const pool = databasePool(config.database, 'switchboard-replay', { max: 10 });
  const deps = { client, pool, logger: stderrLogger };
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    if (!o.yes) {
      const preview = await previewReplay(deps, config);
      const agreed = await confirm(
        `This empties ${AGGREGATE_TABLES.join(', ')} in ${databaseName(config)} (every tenant), deletes the checkpoints, outbox rows and Kafka consumer groups "${config.groupPrefix}.*"${config.topicNamespace ? ` of namespace ${config.topicNamespace}` : ''}, and rebuilds them from ${preview.records} records of the events topics. Continue? [y/N] `,
      );
      if (!agreed) return refuse('replay cancelled (nothing was changed)');
    }
    // Said with --yes too: a log of an unattended replay shows which database it emptied.
    process.stderr.write(
      `replay: rebuilding ${databaseName(config)} from groups "${config.groupPrefix}.*"${config.topicNamespace ? ` of namespace ${config.topicNamespace}` : ''}\n`,
    );
    const view = progressView(process.stderr);
    let summary: ReplaySummary;
    try {
      summary = await runReplay(deps, config, { onProgress: (p) => view.update(p), signal: abort.signal });
    } finally {
      view.stop();
    }
    printSummary(summary);
  } catch (err) {
    if (err instanceof ReplayRefusedError) return refuse(err.message);
    throw err;
  } finally {
    process.off('SIGINT', onSigint);
    await client.close();
    await pool.end();
  }
}

function refuse(sentence: string): void {
  process.stderr.write(`switchboard: ${sentence}\n`);
  process.exitCode = REFUSED_EXIT_CODE;
}

function databaseName(config: AggregatorConfig): string {
  try {
    const url = new URL(config.database.url);
    return `database "${url.pathname.slice(1)}" on ${url.host}`;
  } catch {
    return 'the database';
  }
}

function printSummary(s: ReplaySummary): void {
  const out = process.stdout;
  out.write(
    `replayed ${s.records} records in ${s.seconds.toFixed(1)} s (${Math.round(s.recordsPerSecond)} records/s)\n`,
  );
  for (const [table, n] of Object.entries(s.rows)) out.write(`${table}\t${n} rows\n`);
  process.stderr.write(
    'versions restarted at 1: restart the dashboard gateways so they reload their snapshot; the newest windows become final once the live aggregator runs\n',
  );
}
