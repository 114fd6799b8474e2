import { StreamsDecodeError } from '../core/errors';
import { isUnresponsive, readServiceStatus, type ServiceStatusRecord } from './service-status-record';

const good: ServiceStatusRecord = {
  service: 'aggregator',
  instanceId: 'agg-1',
  status: 'Running',
  since: 1_700_000_000_000,
  heartbeatAt: 1_700_000_005_000,
  host: 'box',
  pid: 4242,
  version: '0.1.0',
  detail: 'pipelines running',
};
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('readServiceStatus', () => {
  it('reads a record, with or without the optional fields, and a tombstone as null', () => {
    expect(readServiceStatus(json(good))).toEqual(good);
    const { version: _v, detail: _d, ...bare } = good;
    expect(readServiceStatus(JSON.stringify(bare))).toEqual(bare);
    expect(readServiceStatus(null)).toBeNull();
    // Fields a later writer adds are ignored, not refused.
    expect(readServiceStatus(json({ ...good, region: 'eu' }))).toEqual(good);
  });

  it.each([
    ['not JSON', Buffer.from('{"service":'), /must be JSON/],
    ['an array', json([good]), /not a service status record/],
    ['a missing status', json({ ...good, status: undefined }), /status:/],
    ['an unknown status', json({ ...good, status: 'Unresponsive' }), /status:/],
    ['a status in other case', json({ ...good, status: 'running' }), /status:/],
    ['a service with a slash', json({ ...good, service: 'a/b' }), /service:/],
    ['an empty instance id', json({ ...good, instanceId: '' }), /instanceId:/],
    ['a negative since', json({ ...good, since: -1 }), /since:/],
    ['a fractional heartbeat', json({ ...good, heartbeatAt: 1.5e12 + 0.5 }), /heartbeatAt:/],
    ['a time beyond dates', json({ ...good, since: 9e15, heartbeatAt: 9e15 }), /since:/],
    [
      'a heartbeat before since',
      json({ ...good, heartbeatAt: good.since - 1 }),
      /heartbeatAt: must not be before since/,
    ],
    ['a time as a string', json({ ...good, since: '1700000000000' }), /since:/],
    ['pid 0', json({ ...good, pid: 0 }), /pid:/],
    ['a detail too long', json({ ...good, detail: 'x'.repeat(1001) }), /detail:/],
    ['a value over 16 KiB', json({ ...good, host: 'h'.repeat(17_000) }), /at most 16384 bytes/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => readServiceStatus(value)).toThrow(StreamsDecodeError);
    expect(() => readServiceStatus(value)).toThrow(message);
  });
});

describe('isUnresponsive (derived by the viewer, not a status)', () => {
  const at = (status: ServiceStatusRecord['status']) => ({ ...good, status, heartbeatAt: 10_000, since: 0 });

  it('is true once three heartbeats are missed by an instance that should be heartbeating', () => {
    expect(isUnresponsive(at('Running'), 10_000 + 15_000, 5000)).toBe(false);
    expect(isUnresponsive(at('Running'), 10_000 + 15_001, 5000)).toBe(true);
    expect(isUnresponsive(at('Starting'), 10_000 + 3_001, 1000)).toBe(true);
    expect(isUnresponsive(at('Stopping'), 10_000 + 15_001)).toBe(true);
  });

  it.each(['Stopped', 'Completed', 'RuntimeError', 'DeploymentFailed', 'BuildFailed', 'QueuedForDeployment'] as const)(
    'is false for %s, where no process is expected to heartbeat',
    (status) => {
      expect(isUnresponsive(at(status), 10_000 + 3_600_000, 5000)).toBe(false);
    },
  );
});
