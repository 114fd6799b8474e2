import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { testEnv, uniqueName } from '../support/env';
import { BOOT_TO_CLEAN_STOP, ServiceStatusReader } from '../support/service-status-reader';

// The real ingest app as a child process (INSTANCE_ID set, a namespace of its own): Running once it listens,
// Stopped after SIGTERM; and a start that fails (its port taken) is published as DeploymentFailed.
const root = join(__dirname, '..', '..');

function startIngest(namespace: string, instanceId: string, port: number): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', join(root, 'apps/ingest/src/main.ts')], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: testEnv.brokers.join(','),
      DATABASE_URL: testEnv.databaseUrl,
      INGEST_PORT: String(port),
      INSTANCE_ID: instanceId,
      SWITCHBOARD_TOPIC_NAMESPACE: namespace,
      LOG_LEVEL: 'warn',
    },
    stdio: 'ignore',
  });
}

const exit = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code)),
  );

describe('ingest status on service.status', () => {
  const namespace = uniqueName('ingest-status');
  const reader = new ServiceStatusReader(`${namespace}.service.status`);
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await reader.close();
  });

  it('runs once listening, stops on SIGTERM, and a failed start is DeploymentFailed', async () => {
    const port = 3800 + Math.floor(Math.random() * 150);
    const first = startIngest(namespace, 'ingest-a', port);
    children.push(first);
    await reader.start();
    await reader.waitFor('Running', { key: 'ingest/ingest-a' });

    // A second instance on the same port cannot listen: its start fails after Starting.
    const second = startIngest(namespace, 'ingest-b', port);
    children.push(second);
    expect(await exit(second)).toBe(1);

    first.kill('SIGTERM');
    await exit(first);
    await reader.waitFor('Stopped', { key: 'ingest/ingest-a', timeoutMs: 30_000 });

    expect(reader.statuses('ingest/ingest-a')).toEqual(BOOT_TO_CLEAN_STOP);
    expect(reader.statuses('ingest/ingest-b')).toEqual([
      'QueuedForDeployment',
      'Deploying',
      'Starting',
      'DeploymentFailed',
    ]);
    const failed = reader.received.find((r) => r.record?.status === 'DeploymentFailed')?.record;
    expect(failed?.detail).toMatch(/EADDRINUSE/);
  }, 180_000);
});
