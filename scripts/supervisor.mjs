// `npm start`'s supervisor: runs each service as a child process, passes its lines to the terminal, and starts
// again one that exits without being asked, with back-off (scripts/supervision-policy.cjs). A process that died
// without saying so (killed by a signal: SIGKILL, a fatal crash) gets the RuntimeError it could not publish; its
// restart then publishes QueuedForDeployment → Deploying → Starting → Running itself. `stop()` ends every process
// (SIGTERM, then SIGKILL after `killAfterMs`) and restarts none.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { BACKOFF, crashLine, crashLoopReport, describeExit, LogTail, RestartPolicy } from './supervision-policy.cjs';

/**
 * @typedef {object} ServiceSpec
 * @property {string} name           how the terminal names it, e.g. `aggregator-1`
 * @property {string[]} args         node arguments after `-r @swc-node/register`
 * @property {Record<string,string>} [env]
 * @property {string} [liveUrl]      answers once the service is Running (its `/health/live`)
 * @property {{ service: string, instanceId: string }} [status]  its key on `service.status`
 * @property {'always'|'on-failure'} [restart]  `on-failure`: an exit with code 0 is the end of its work
 */

export class Supervisor {
  /**
   * @param {object} o
   * @param {string} o.root
   * @param {Record<string,string>} o.env          the environment of every service
   * @param {{ format(name: string, line: string): string | null, print(text: string, stderr: boolean): void, say(message: string): void }} o.terminal
   * @param {() => Promise<{ runtimeError(o: object): Promise<void>, close(): Promise<void> }>} [o.statusPublisher]
   * @param {number} [o.killAfterMs]
   */
  constructor({ root, env, terminal, statusPublisher, killAfterMs = 30_000 }) {
    this.root = root;
    this.env = env;
    this.terminal = terminal;
    this.loadStatusPublisher = statusPublisher;
    this.killAfterMs = killAfterMs;
    this.services = new Map();
    this.stopping = false;
  }

  /** Starts a service and keeps it running until `stop()`. */
  add(spec) {
    const s = { spec, policy: new RestartPolicy(), tail: new LogTail(), child: undefined, timer: undefined };
    this.services.set(spec.name, s);
    this.launch(s);
  }

  launch(s) {
    if (this.stopping) return; // e.g. a simulator added while Ctrl-C was being handled
    const { spec } = s;
    const child = spawn(process.execPath, ['-r', '@swc-node/register', ...spec.args], {
      cwd: this.root,
      env: { ...this.env, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a Ctrl-C reaches the supervisor only, which stops the services in order.
      detached: true,
    });
    s.child = child;
    s.runningSince = undefined;
    this.lines(s, child.stdout, false);
    this.lines(s, child.stderr, true);
    child.on('exit', (code, signal) => this.exited(s, child, code, signal));
    if (spec.liveUrl) this.watchRunning(s, child);
    else s.runningSince = Date.now();
  }

  lines(s, stream, stderr) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) this.line(s, line, stderr);
    });
    stream.on('end', () => rest && this.line(s, rest, stderr));
  }

  line(s, line, stderr) {
    const text = this.terminal.format(s.spec.name, line);
    if (text === null) return;
    s.tail.push(text);
    if (!s.muted) this.terminal.print(text, stderr);
  }

  /** Running from the moment its liveness answers (the app publishes Running when it listens). */
  async watchRunning(s, child) {
    while (s.child === child && child.exitCode === null && child.signalCode === null && !this.stopping) {
      try {
        if ((await fetch(s.spec.liveUrl)).ok) {
          s.runningSince = Date.now();
          if (s.muted) {
            s.muted = false;
            this.terminal.say(`${s.spec.name} is running again`);
          }
          return;
        }
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  exited(s, child, code, signal) {
    if (s.child === child) s.child = undefined;
    if (this.stopping) return;
    if (s.spec.restart === 'on-failure' && code === 0) {
      this.terminal.say(`${s.spec.name} finished`);
      return;
    }
    const exit = describeExit(code, signal);
    const decision = s.policy.crashed(Date.now(), s.runningSince);
    if (decision.report === 'crash') this.terminal.say(crashLine(s.spec.name, exit, decision.delayMs));
    else if (decision.report === 'crash-loop') {
      this.terminal.say(
        crashLoopReport({
          name: s.spec.name,
          exit,
          crashes: decision.crashesInWindow,
          windowMs: decision.windowMs,
          delayMs: decision.delayMs,
          maxMs: BACKOFF.maxMs,
          tail: s.tail.lines(),
        }),
      );
      s.muted = true;
    }
    // Killed by a signal, the process said nothing; an exit with a code went through the app's own
    // DeploymentFailed or RuntimeError.
    const said = signal && s.spec.status ? this.publishRuntimeError(s, child.pid, exit) : Promise.resolve();
    s.timer = setTimeout(async () => {
      s.timer = undefined;
      await said;
      if (!this.stopping) this.launch(s);
    }, decision.delayMs);
  }

  async publishRuntimeError(s, pid, exit) {
    if (!this.loadStatusPublisher) return;
    try {
      this.publisher ??= this.loadStatusPublisher();
      const publisher = await this.publisher;
      await publisher.runtimeError({ ...s.spec.status, pid, detail: `exited (${exit}); restarting` });
    } catch (err) {
      this.terminal.say(`${s.spec.name}: RuntimeError not published to service.status: ${err.message}`);
    }
  }

  /** Stops every service (SIGTERM, SIGKILL after `killAfterMs`), restarting none; then the status client. */
  async stop() {
    this.stopping = true;
    const running = [];
    for (const s of this.services.values()) {
      clearTimeout(s.timer);
      const child = s.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) continue;
      running.push(
        new Promise((done) => {
          const kill = setTimeout(() => {
            this.terminal.say(`${s.spec.name} did not stop within ${this.killAfterMs / 1000} s: SIGKILL`);
            child.kill('SIGKILL');
          }, this.killAfterMs);
          child.once('exit', () => {
            clearTimeout(kill);
            done();
          });
          child.kill('SIGTERM');
        }),
      );
    }
    await Promise.all(running);
    if (this.publisher) await (await this.publisher.catch(() => undefined))?.close();
  }
}

/**
 * A publisher of RuntimeError records on `<namespace>.service.status` through the library (libs/streams), loaded
 * through `@swc-node/register` on first use: dependencies exist by then (`npm start` ensured them). It reaches Kafka
 * as the services do: the connection read from `env` by libs/service (brokers, TLS, SASL, client id prefix).
 */
export async function streamsStatusPublisher({ root, env, topicNamespace }) {
  const require = createRequire(import.meta.url);
  require('@swc-node/register');
  const { ServiceLifecycle, StreamingClient, SERVICE_STATUS_TOPIC } = require(
    resolve(root, 'libs/streams/src/index.ts'),
  );
  const { loadKafkaConnection, streamingClientOptions } = require(
    resolve(root, 'libs/service/src/kafka-connection.ts'),
  );
  const { namespaced } = require(resolve(root, 'libs/domain/src/index.ts'));
  const quiet = () => undefined;
  const silent = { debug: quiet, info: quiet, warn: quiet, error: quiet };
  const client = new StreamingClient({
    ...streamingClientOptions(loadKafkaConnection(env), 'npm-start-supervisor'),
    retries: 2,
    ackTimeoutMs: 10_000,
    logger: silent,
  });
  const topic = namespaced(SERVICE_STATUS_TOPIC, topicNamespace);
  return {
    /** The instance's last record becomes RuntimeError (Running → RuntimeError, as the table has it). */
    async runtimeError({ service, instanceId, pid, detail }) {
      const lifecycle = new ServiceLifecycle({ service, instanceId });
      for (const status of ['Deploying', 'Starting', 'Running']) lifecycle.transition(status);
      lifecycle.transition('RuntimeError', detail);
      const publisher = client.createServiceStatusPublisher(lifecycle, {
        topic,
        pid,
        heartbeatMs: 60_000,
        logger: silent, // a failure is thrown below, and said once by the supervisor
      });
      let failure;
      publisher.on('failure', ({ error }) => {
        failure = error;
      });
      publisher.start();
      await publisher.stop();
      if (failure) throw failure;
    },
    close: () => client.close(),
  };
}
