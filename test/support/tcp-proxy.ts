import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy in this process in front of a real service (Postgres, a broker), so a test can take the service
 * away from its clients without touching it: `cut()` destroys every connection through the proxy and refuses
 * new ones (they are accepted and closed at once, as a server that went away), `restore()` lets them through
 * again. The service itself keeps running for everyone else.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private open = true;
  /** Connections refused while cut (how hard the clients knocked). */
  refused = 0;

  constructor(
    private readonly target: { host: string; port: number },
    private readonly listenPort = 0,
  ) {}

  /** Listens on 127.0.0.1 (a random port unless one was given); resolves with the port. */
  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.listenPort, '127.0.0.1', () => resolve());
    });
    return this.port;
  }

  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('the proxy is not listening');
    return address.port;
  }

  /** Destroys every connection through the proxy and refuses new ones until restore(). */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  restore(): void {
    this.open = true;
  }

  get isCut(): boolean {
    return !this.open;
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    if (!this.open) {
      this.refused++;
      client.destroy();
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    const pair = [client, upstream];
    for (const s of pair) {
      this.sockets.add(s);
      s.setNoDelay(true);
      // Either side going away takes the other with it, as a broken network path would.
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
