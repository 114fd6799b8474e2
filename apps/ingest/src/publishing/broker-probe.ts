import { connect } from 'node:net';

/**
 * True when at least one broker accepts a TCP connection within `timeoutMs`. Readiness needs a probe
 * that touches the network every time; the streams client caches its topic checks, so it cannot be one.
 */
export async function brokerReachable(brokers: readonly string[], timeoutMs: number): Promise<boolean> {
  const attempts = brokers.map(
    (b) =>
      new Promise<boolean>((resolve) => {
        const at = b.lastIndexOf(':');
        const socket = connect({ host: b.slice(0, at), port: Number(b.slice(at + 1)) });
        const done = (ok: boolean) => {
          socket.destroy();
          resolve(ok);
        };
        socket.setTimeout(timeoutMs, () => done(false));
        socket.once('connect', () => done(true));
        socket.once('error', () => done(false));
      }),
  );
  return (await Promise.all(attempts)).some(Boolean);
}
