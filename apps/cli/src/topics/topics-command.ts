import { type PlannedTopic, topicPlan } from '@switchboard/service';
import { Command, InvalidArgumentError, Option } from 'commander';
import { kafkaConnection } from '../db';
import { groupPrefixArg, namespaceArg } from '../replay/replay-command';

function wholeArg(name: string, max: number) {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`${name} must be a whole number 1–${max}`);
    return n;
  };
}

const configText = (t: PlannedTopic) =>
  Object.entries(t.config)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

/** The plan as a table an administrator reads: one topic a line, the columns aligned. */
export function planTable(plan: readonly PlannedTopic[]): string {
  const rows = [
    ['TOPIC', 'PARTITIONS', 'REPLICATION', 'CONFIG', 'PURPOSE'],
    ...plan.map((t) => [t.name, String(t.partitions), String(t.replicationFactor), configText(t) || '-', t.purpose]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '))
    .join('\n');
}

/** The plan as Apache Kafka's `kafka-topics.sh --create` commands (the bootstrap server and auth left to fill in). */
export function planCommands(plan: readonly PlannedTopic[]): string {
  return plan
    .map(
      (t) =>
        `kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config client.properties --create --if-not-exists --topic ${t.name} --partitions ${t.partitions} --replication-factor ${t.replicationFactor}${Object.entries(
          t.config,
        )
          .map(([k, v]) => ` --config ${k}=${v}`)
          .join('')}`,
    )
    .join('\n');
}

/**
 * `switchboard topics plan`: every topic the system needs, for clusters where the services may not create topics
 * (KAFKA_TOPICS=verify). Partitions and replication follow KAFKA_TOPIC_PARTITIONS and KAFKA_REPLICATION_FACTOR
 * (what the services would create), the names SWITCHBOARD_TOPIC_NAMESPACE and AGGREGATOR_GROUP_PREFIX.
 */
export function topicsCommand(): Command {
  const topics = new Command('topics').description('the Kafka topics the system needs');
  topics
    .command('plan')
    .description('print every topic the system needs: partitions, replication factor, configs, purpose')
    .option('--namespace <ns>', 'topic namespace (SWITCHBOARD_TOPIC_NAMESPACE)', namespaceArg)
    .option('--group-prefix <prefix>', "the aggregator's AGGREGATOR_GROUP_PREFIX (default aggregator)", groupPrefixArg)
    .option(
      '--partitions <n>',
      'partitions of every topic (KAFKA_TOPIC_PARTITIONS, default 2)',
      wholeArg('partitions', 10_000),
    )
    .option(
      '--replication-factor <n>',
      'replication factor (KAFKA_REPLICATION_FACTOR, default 1)',
      wholeArg('replication factor', 32),
    )
    .addOption(
      new Option('--format <format>', 'table, json, or kafka-topics.sh commands')
        .choices(['table', 'json', 'commands'])
        .default('table'),
    )
    .action(
      (o: {
        namespace?: string;
        groupPrefix?: string;
        partitions?: number;
        replicationFactor?: number;
        format: string;
      }) => {
        const kafka = kafkaConnection();
        const plan = topicPlan({
          namespace: o.namespace ?? process.env.SWITCHBOARD_TOPIC_NAMESPACE,
          groupPrefix: o.groupPrefix ?? process.env.AGGREGATOR_GROUP_PREFIX,
          partitions: o.partitions ?? kafka.partitions,
          replicationFactor: o.replicationFactor ?? kafka.replicationFactor,
        });
        const out =
          o.format === 'json'
            ? JSON.stringify(
                plan.map(({ services: _, ...t }) => t),
                null,
                2,
              )
            : o.format === 'commands'
              ? planCommands(plan)
              : planTable(plan);
        process.stdout.write(`${out}\n`);
      },
    );
  return topics;
}
