import { callsHopTopic } from '../../apps/aggregator/src/pipelines/calls/calls-hop';
import { runSwitchboard } from '../support/switchboard-cli';

// `switchboard topics plan`: what an administrator creates on a cluster where the services may not (KAFKA_TOPICS=verify).

describe('switchboard topics plan', () => {
  it('lists every topic with the partitions and replication the environment asks for, and service.status compacted', () => {
    const res = runSwitchboard(['topics', 'plan', '--format', 'json', '--group-prefix', 'agg'], {
      SWITCHBOARD_TOPIC_NAMESPACE: 'prod',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_REPLICATION_FACTOR: '3',
    });
    expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
    const plan = JSON.parse(res.stdout) as {
      name: string;
      partitions: number;
      replicationFactor: number;
      config: object;
    }[];
    expect(plan.map((t) => t.name).sort()).toEqual(
      [
        'prod.events.calls',
        'prod.events.agents',
        'prod.events.meters',
        callsHopTopic('agg'),
        'prod.metrics.updates',
        'prod.alerts',
        'prod.service.status',
        'prod.events.calls.dlq',
        'prod.events.agents.dlq',
        'prod.events.meters.dlq',
        `${callsHopTopic('agg')}.dlq`,
        'prod.metrics.updates.dlq',
      ].sort(),
    );
    for (const t of plan)
      expect({ name: t.name, partitions: t.partitions, rf: t.replicationFactor }).toEqual({
        name: t.name,
        partitions: 12,
        rf: 3,
      });
    expect(plan.find((t) => t.name === 'prod.service.status')?.config).toEqual({ 'cleanup.policy': 'compact' });
    expect(plan.filter((t) => Object.keys(t.config).length > 0).map((t) => t.name)).toEqual(['prod.service.status']);
  });

  it('prints a table by default and kafka-topics.sh commands on request; a bad variable is named', () => {
    const table = runSwitchboard(['topics', 'plan']);
    expect(table.status).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^TOPIC\s+PARTITIONS\s+REPLICATION\s+CONFIG\s+PURPOSE$/);
    expect(table.stdout).toMatch(/^service\.status\s+2\s+1\s+cleanup\.policy=compact\s+/m);

    const commands = runSwitchboard(['topics', 'plan', '--format', 'commands']);
    expect(commands.stdout).toContain(
      'kafka-topics.sh --bootstrap-server "$BOOTSTRAP" --command-config client.properties --create --if-not-exists --topic service.status --partitions 2 --replication-factor 1 --config cleanup.policy=compact',
    );

    const bad = runSwitchboard(['topics', 'plan'], { KAFKA_TOPIC_PARTITIONS: 'many' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('KAFKA_TOPIC_PARTITIONS');
  });
});
