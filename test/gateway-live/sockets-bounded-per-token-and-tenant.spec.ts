import { eventually } from '../support/wait';
import { liveSuite, token } from './live-harness';

// One token (a leaked link opened in a loop) or one tenant must not hold every connection a gateway can serve: beyond
// its bound a connection is refused with a clear connect_error, and a closed socket frees its place.
describe('live sockets per token and per tenant', () => {
  const suite = liveSuite({ maxSocketsPerToken: 2, maxSocketsPerTenant: 3 });
  const probe = (t: string) => suite.probe({ token: t });

  it('refuses the token beyond 2 and the tenant beyond 3 open sockets; another tenant is unaffected', async () => {
    const a = suite.tenant('ta');
    const first = token(a);
    const open = [probe(first), probe(first)];
    await Promise.all(open.map((p) => p.connected()));

    const third = probe(first);
    await expect(third.connected()).rejects.toBeDefined();
    expect(third.connectError?.data).toEqual({
      error: 'too_many_connections',
      message: expect.stringContaining('this token has 2 connections open already'),
    });

    const second = token(a, 'analyst'); // another token of the same tenant: the tenant's third socket
    const other = probe(second);
    await other.connected();
    const fourth = probe(second);
    await expect(fourth.connected()).rejects.toBeDefined();
    expect(fourth.connectError?.data).toEqual({
      error: 'too_many_connections',
      message: expect.stringContaining(`tenant ${a} has 3 connections open on this gateway already`),
    });

    const stranger = probe(token(suite.tenant('tb')));
    await stranger.connected();

    // A closed socket frees its place.
    open[0].close();
    let again: ReturnType<typeof probe> | undefined;
    await eventually(async () => {
      again?.close();
      again = probe(first);
      await again.connected();
    }, 10_000);
    again?.subscribe('queues');
    await eventually(() => expect(again?.of('queues').length).toBe(1));
  });
});
