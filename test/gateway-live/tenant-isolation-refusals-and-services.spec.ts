import { createDashboardToken } from '@switchboard/domain';
import { eventually } from '../support/wait';
import { firingAlert, gauge, liveSuite, meterWindow, SECRET, token } from './live-harness';

/** A token only ever sees its tenant's rows; bad tokens and bad messages are refused without harm; services. */
describe('live delivery: isolation and refusals', () => {
  const suite = liveSuite();
  const { gateway, publisher } = suite;
  const a = suite.tenant('ta');
  const b = suite.tenant('tb');
  const probe = (auth: Record<string, unknown>) => suite.probe(auth);

  it("never delivers tenant A's rows to tenant B, even on A's meter channel name", async () => {
    const owner = probe({ token: token(a, 'analyst') });
    const hostile = probe({ token: token(b, 'analyst') });
    // An operator reads the installation's channels, never a tenant's data (REST forbids it too).
    const operator = probe({ token: token(a, 'operator') });
    await Promise.all([owner.connected(), hostile.connected(), operator.connected()]);
    for (const ch of ['queues', 'alerts', 'meter:m-a']) {
      owner.subscribe(ch);
      hostile.subscribe(ch);
      operator.subscribe(ch);
    }
    await eventually(() => expect(hostile.frames.length).toBe(3));
    await eventually(() => expect(operator.errors.map((e) => e.code)).toEqual(['forbidden', 'forbidden', 'forbidden']));
    expect(operator.frames).toEqual([]);
    const start = Math.floor(Date.now() / 900_000) * 900_000;
    await publisher.updates([gauge(a, 'q', 1), meterWindow(a, 'm-a', start, 1)]);
    // Forged: A's id under B's tenant, and B's tenant with A's row: both refused.
    await publisher.updates([
      { ...gauge(a, 'q', 2), tenant: b },
      { ...gauge(b, 'q', 1), row: { tenant: a, queue: 'q', waiting: 1 } },
    ]);
    await publisher.updates([firingAlert(a, 'q', Date.now())], 'alerts');
    await eventually(() => {
      expect(owner.versions('queues').get(`${a}/queue_gauge/q`)).toBe(1);
      expect(owner.versions('meter:m-a').size).toBe(1);
      expect(owner.versions('alerts').size).toBe(1);
    });
    await publisher.updates([gauge(b, 'q', 5)]);
    await eventually(() => expect(hostile.versions('queues').get(`${b}/queue_gauge/q`)).toBe(5));
    const leaked = hostile.frames
      .flatMap((f) => f.rows)
      .filter((r) => r.id.startsWith(`${a}/`) || JSON.stringify(r.row).includes(a));
    expect(leaked).toEqual([]);
    expect(hostile.versions('queues').size).toBe(1);
    expect(gateway.service.state.rejected).toBeGreaterThanOrEqual(2);
  });

  it.each([
    ['no token', {}, 'malformed'],
    [
      'a forged token',
      { token: createDashboardToken('x'.repeat(40), { tenant: 'acme', role: 'supervisor', ttlSeconds: 60 }) },
      'bad_signature',
    ],
    [
      'an expired token',
      {
        token: createDashboardToken(
          SECRET,
          { tenant: 'acme', role: 'supervisor', ttlSeconds: 60 },
          Date.now() - 120_000,
        ),
      },
      'expired',
    ],
  ])('refuses a connection with %s: connect_error {error, message}', async (_what, auth, code) => {
    const p = probe(auth);
    await expect(p.connected()).rejects.toBeDefined();
    expect(p.connectError?.data).toEqual({ error: code, message: expect.any(String) });
  });

  it('answers malformed, oversized, unknown and forbidden messages with error events and keeps serving', async () => {
    const p = probe({ token: token(a, 'analyst') }); // an analyst reads queues and meters
    await p.connected();
    p.socket.emit('subscribe', 'queues');
    p.socket.emit('subscribe', { channel: 'queues', resume: { epoch: 'e', seq: 'x' } });
    p.socket.emit('subscribe', { channel: 'queues', pad: 'x'.repeat(6000) });
    p.socket.emit('hello', { a: 1 });
    p.subscribe('services');
    p.subscribe(`meter:${'../etc'}`);
    await new Promise((r) => setTimeout(r, 1100)); // 20 messages/s per socket
    for (let i = 0; i < 17; i++) p.subscribe(`meter:m${i}`);
    await eventually(() => expect(p.errors.length).toBe(7));
    expect(p.errors.map((e) => e.code)).toEqual([
      'bad_message',
      'bad_message',
      'too_large',
      'unknown_event',
      'forbidden',
      'unknown_channel',
      'too_many_subscriptions',
    ]);
    await eventually(() => expect(p.frames.length).toBe(16));
    expect(p.socket.connected).toBe(true);
    for (let i = 0; i < 25; i++) p.socket.emit('unsubscribe', { channel: 'alerts' });
    await eventually(() => expect(p.errors.at(-1)?.code).toBe('rate_limited'));
  });

  it('shows service status to operators, with unresponsive derived and tombstones as removals', async () => {
    const op = probe({ token: token(a, 'operator') });
    await op.connected();
    op.subscribe('services');
    const now = Date.now();
    const record = (heartbeatAt: number) =>
      JSON.stringify({
        service: 'aggregator',
        instanceId: 'i1',
        status: 'Running',
        since: heartbeatAt - 1000,
        heartbeatAt,
        host: 'h',
        pid: 1,
      });
    await publisher.raw('service.status', 'aggregator/i1', record(now));
    await publisher.raw('service.status', 'aggregator/i2', record(now - 60_000).replace('"i1"', '"i2"'));
    await publisher.raw('service.status', 'junk/x', '{"not":"a record"}');
    await eventually(() => {
      const rows = new Map(
        op
          .of('services')
          .flatMap((f) => f.rows)
          .map((r) => [r.id, r.row]),
      );
      expect(rows.get('aggregator/i1')).toMatchObject({ status: 'Running', unresponsive: false });
      expect(rows.get('aggregator/i2')).toMatchObject({ status: 'Running', unresponsive: true });
    });
    await publisher.raw('service.status', 'aggregator/i2', null);
    await eventually(() => {
      const last = op
        .of('services')
        .flatMap((f) => f.rows)
        .filter((r) => r.id === 'aggregator/i2')
        .at(-1);
      expect(last?.row).toBeNull();
    });
    expect(gateway.service.feed.skipped).toBeGreaterThanOrEqual(1);
  });
});
