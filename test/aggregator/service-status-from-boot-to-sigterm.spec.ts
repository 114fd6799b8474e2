import type { ServiceStatusRecord } from '@switchboard/streams';
import { AggregatorFleet } from '../support/aggregator-fleet';
import { uniqueName } from '../support/env';
import { BOOT_TO_CLEAN_STOP, ServiceStatusReader } from '../support/service-status-reader';

// The real aggregator app as a child process, in a namespace of its own: its status on
// <namespace>.service.status goes QueuedForDeployment → Deploying → Starting → Running (HTTP listening,
// pipelines started), and after SIGTERM Stopping → Stopped, the last one published before the process exits.
describe('aggregator status on service.status', () => {
  const namespace = uniqueName('status');
  const fleet = new AggregatorFleet({
    graceMs: 5000,
    idleMs: 1000,
    extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace },
  });
  const reader = new ServiceStatusReader(`${namespace}.service.status`);

  afterAll(async () => {
    await fleet.stopAll();
    await reader.close();
  });

  it('goes from QueuedForDeployment to Running, and to Stopped on SIGTERM', async () => {
    const child = fleet.start('status-1');
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await reader.start();
    await reader.waitFor('Running', { timeoutMs: 90_000 });

    await fleet.stop('status-1', 'SIGTERM');
    await exited;
    await reader.waitFor('Stopped', { timeoutMs: 30_000 });

    expect(reader.statuses()).toEqual(BOOT_TO_CLEAN_STOP);
    expect(new Set(reader.received.map((r) => r.key))).toEqual(new Set(['aggregator/status-1']));
    const last = reader.received.at(-1)?.record as ServiceStatusRecord;
    expect(last).toMatchObject({ service: 'aggregator', instanceId: 'status-1', pid: child.pid });
    expect(reader.received.find((r) => r.record?.status === 'Stopping')?.record?.detail).toBe('on SIGTERM');
    expect(fleet.log.filter((l) => /failed|crashed/.test(l))).toEqual([]);
  }, 180_000);
});
