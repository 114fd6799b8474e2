#!/usr/bin/env node
// Fetches, formats, starts and stops a single-node Apache Kafka broker (KRaft, broker + controller in one
// JVM) from Maven Central jars. Zero npm dependencies: it must run before `npm ci` has.
//
//   node tools/kafka/broker.mjs fetch|format|start|stop|status|ensure|certs
//
// Environment (all optional): KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_DATA_DIR (.data/kafka),
// KAFKA_HEAP (-Xms512m -Xmx768m), KAFKA_START_TIMEOUT_MS (90000).
//
// Secured listeners, for the security tests (test/security), next to the plaintext one: KAFKA_SASL_SSL_PORT (a
// SASL_SSL listener, SCRAM-SHA-512, client certificate optional) and KAFKA_SSL_PORT (an SSL listener that requires a
// client certificate: mutual TLS). Their CA, the broker's keystore and a client certificate are made at format time
// (`certs` makes them alone) in <data dir>/tls with keytool (the JDK's) and openssl; KAFKA_SCRAM_USERS
// (`user=password,…`) are the SCRAM-SHA-512 credentials written at format time.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const libDir = join(here, 'lib');
const host = '127.0.0.1';

export function brokerConfig(env = process.env) {
  const port = Number(env.KAFKA_PORT ?? 9092);
  const controllerPort = Number(env.KAFKA_CONTROLLER_PORT ?? port + 1);
  const dataDir = resolve(root, env.KAFKA_DATA_DIR ?? '.data/kafka');
  return {
    port,
    controllerPort,
    dataDir,
    logDir: join(dataDir, 'logs'),
    storeDir: join(dataDir, 'store'),
    propsFile: join(dataDir, 'server.properties'),
    pidFile: join(dataDir, 'broker.pid'),
    outFile: join(dataDir, 'logs', 'server.out'),
    heap: (env.KAFKA_HEAP ?? '-Xms512m -Xmx768m').split(/\s+/).filter(Boolean),
    startTimeoutMs: Number(env.KAFKA_START_TIMEOUT_MS ?? 90_000),
    saslSslPort: env.KAFKA_SASL_SSL_PORT ? Number(env.KAFKA_SASL_SSL_PORT) : undefined,
    sslPort: env.KAFKA_SSL_PORT ? Number(env.KAFKA_SSL_PORT) : undefined,
    tlsDir: join(dataDir, 'tls'),
    scramUsers: (env.KAFKA_SCRAM_USERS ?? '')
      .split(',')
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        return { name: pair.slice(0, at), password: pair.slice(at + 1) };
      }),
  };
}

/** The files of a test-time TLS setup (certs()): PEM for clients, PKCS12 for the broker. */
export function tlsFiles(cfg) {
  const at = (name) => join(cfg.tlsDir, name);
  return {
    ca: at('ca.pem'),
    keystore: at('broker.p12'),
    truststore: at('truststore.p12'),
    clientCert: at('client.pem'),
    clientKey: at('client.key'),
    password: at('store.password'),
  };
}

function run(command, args, what) {
  const res = spawnSync(command, args, { encoding: 'utf8' });
  if (res.error)
    throw new BrokerError(
      `${what} needs ${command}, which could not run (${res.error.message}); install it (keytool comes with the JDK).`,
    );
  if (res.status !== 0)
    throw new BrokerError(`${what} failed: ${command} ${args[0]} said: ${(res.stderr || res.stdout).trim()}`);
  return res.stdout;
}

/**
 * A CA of its own, a broker certificate it signed (for 127.0.0.1 and localhost) in a PKCS12 keystore with a
 * truststore of the CA (so the broker checks client certificates), and a client certificate the CA signed, as PEM
 * (the key exported by openssl: keytool cannot write a private key). Valid for two days: made at test time, never
 * kept. Returns false when the directory already has them.
 */
export function certs(cfg = brokerConfig()) {
  const files = tlsFiles(cfg);
  if (existsSync(files.clientKey)) return false;
  mkdirSync(cfg.tlsDir, { recursive: true });
  const password = randomBytes(12).toString('hex');
  writeFileSync(files.password, password, { mode: 0o600 });
  const tmp = (name) => join(cfg.tlsDir, name);
  const keytool = (args, what) => run('keytool', [...args, '-noprompt'], what);
  const store = (file) => ['-keystore', file, '-storetype', 'PKCS12', '-storepass', password];
  const pair = (alias, file, dname, ext = []) =>
    keytool(
      [
        '-genkeypair',
        '-alias',
        alias,
        ...store(file),
        '-keyalg',
        'RSA',
        '-keysize',
        '2048',
        '-validity',
        '2',
        '-dname',
        dname,
        ...ext,
      ],
      `making the ${alias} key`,
    );
  const signed = (alias, file, ext) => {
    const request = keytool(['-certreq', '-alias', alias, ...store(file)], `the ${alias} certificate request`);
    writeFileSync(tmp(`${alias}.csr`), request);
    const cert = keytool(
      [
        '-gencert',
        '-alias',
        'ca',
        ...store(tmp('ca.p12')),
        '-infile',
        tmp(`${alias}.csr`),
        '-rfc',
        '-validity',
        '2',
        ...ext,
      ],
      `signing the ${alias} certificate`,
    );
    writeFileSync(tmp(`${alias}.signed.pem`), cert);
    keytool(['-importcert', '-alias', 'ca', ...store(file), '-file', files.ca], `the CA in the ${alias} keystore`);
    keytool(
      ['-importcert', '-alias', alias, ...store(file), '-file', tmp(`${alias}.signed.pem`)],
      `the ${alias} certificate`,
    );
    return cert;
  };
  pair('ca', tmp('ca.p12'), 'CN=Switchboard test CA', ['-ext', 'bc:c']);
  writeFileSync(
    files.ca,
    keytool(['-exportcert', '-alias', 'ca', ...store(tmp('ca.p12')), '-rfc'], 'exporting the CA'),
  );
  pair('broker', files.keystore, 'CN=localhost');
  signed('broker', files.keystore, ['-ext', 'SAN=ip:127.0.0.1,dns:localhost', '-ext', 'EKU=serverAuth']);
  keytool(['-importcert', '-alias', 'ca', ...store(files.truststore), '-file', files.ca], 'the broker truststore');
  pair('client', tmp('client.p12'), 'CN=switchboard-client');
  writeFileSync(files.clientCert, signed('client', tmp('client.p12'), ['-ext', 'EKU=clientAuth']));
  const key = run(
    'openssl',
    ['pkcs12', '-in', tmp('client.p12'), '-nocerts', '-nodes', '-passin', `pass:${password}`],
    'exporting the client key',
  );
  writeFileSync(files.clientKey, key.slice(key.indexOf('-----BEGIN')), { mode: 0o600 });
  return true;
}

/** The secured listeners' lines of server.properties (none unless a secured port is set). */
function securedListeners(cfg) {
  if (cfg.saslSslPort === undefined && cfg.sslPort === undefined) return { listeners: [], map: [], lines: [] };
  const files = tlsFiles(cfg);
  const password = readFileSync(files.password, 'utf8');
  const listeners = [
    ...(cfg.saslSslPort === undefined ? [] : [`SASL_SSL://${host}:${cfg.saslSslPort}`]),
    ...(cfg.sslPort === undefined ? [] : [`SSL://${host}:${cfg.sslPort}`]),
  ];
  return {
    listeners,
    map: [
      ...(cfg.saslSslPort === undefined ? [] : ['SASL_SSL:SASL_SSL']),
      ...(cfg.sslPort === undefined ? [] : ['SSL:SSL']),
    ],
    lines: [
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.location=${files.keystore}`,
      `ssl.keystore.password=${password}`,
      `ssl.key.password=${password}`,
      'ssl.truststore.type=PKCS12',
      `ssl.truststore.location=${files.truststore}`,
      `ssl.truststore.password=${password}`,
      'sasl.enabled.mechanisms=SCRAM-SHA-512',
      'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      // SASL_SSL authenticates with SCRAM; a client certificate is checked when one is sent. SSL is mutual TLS.
      'listener.name.sasl_ssl.ssl.client.auth=requested',
      'listener.name.ssl.ssl.client.auth=required',
    ],
  };
}

class BrokerError extends Error {}

function kafkaVersion() {
  const pom = readFileSync(join(here, 'pom.xml'), 'utf8');
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)[1];
}

export function jarsPresent() {
  const version = kafkaVersion();
  return existsSync(libDir) && readdirSync(libDir).includes(`kafka_2.13-${version}.jar`);
}

export function fetchJars() {
  if (jarsPresent()) return false;
  const mvn = spawnSync('mvn', ['-q', '-B', '-f', join(here, 'pom.xml'), 'dependency:copy-dependencies'], {
    stdio: 'inherit',
  });
  if (mvn.error)
    throw new BrokerError(
      `Maven is needed to fetch the Kafka jars and could not run (${mvn.error.message}); install Maven 3 and Java 17+.`,
    );
  if (mvn.status !== 0)
    throw new BrokerError(`Maven could not fetch the Kafka jars (exit ${mvn.status}); see its output above.`);
  if (!jarsPresent()) throw new BrokerError(`Maven finished but ${libDir} has no kafka_2.13-${kafkaVersion()}.jar.`);
  return true;
}

function serverProperties(cfg) {
  const secured = securedListeners(cfg);
  const listeners = [
    `PLAINTEXT://${host}:${cfg.port}`,
    `CONTROLLER://${host}:${cfg.controllerPort}`,
    ...secured.listeners,
  ];
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.bootstrap.servers=${host}:${cfg.controllerPort}`,
    `listeners=${listeners.join(',')}`,
    `advertised.listeners=${listeners.join(',')}`,
    'inter.broker.listener.name=PLAINTEXT',
    'controller.listener.names=CONTROLLER',
    `listener.security.protocol.map=${['CONTROLLER:PLAINTEXT', 'PLAINTEXT:PLAINTEXT', ...secured.map].join(',')}`,
    ...secured.lines,
    `log.dirs=${cfg.storeDir}`,
    'num.partitions=2',
    // One broker: every internal topic must accept replication factor 1, or groups and transactions hang.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly by the library with the partition count it wants.
    'auto.create.topics.enable=false',
    'log.retention.hours=168',
    'log.segment.bytes=67108864',
    '',
  ].join('\n');
}

function java(cfg, mainClass, args, extra = {}) {
  return [
    ...cfg.heap,
    '-server',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:InitiatingHeapOccupancyPercent=35',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(here, 'log4j2.properties')}`,
    `-Dkafka.logs.dir=${cfg.logDir}`,
    ...(extra.jvm ?? []),
    '-cp',
    join(libDir, '*'),
    mainClass,
    ...args,
  ];
}

export function format(cfg = brokerConfig()) {
  mkdirSync(cfg.logDir, { recursive: true });
  if (cfg.saslSslPort !== undefined || cfg.sslPort !== undefined) certs(cfg);
  writeFileSync(cfg.propsFile, serverProperties(cfg));
  if (existsSync(join(cfg.storeDir, 'meta.properties'))) return false;
  // A cluster id is 16 random bytes in base64url; one starting with '-' would read as a flag.
  let id;
  do id = randomBytes(16).toString('base64url');
  while (id.startsWith('-'));
  const res = spawnSync(
    'java',
    java(
      cfg,
      'kafka.tools.StorageTool',
      [
        'format',
        '--standalone',
        '-t',
        id,
        '-c',
        cfg.propsFile,
        // SCRAM credentials live in the cluster metadata: written with the first record, before the broker starts.
        ...cfg.scramUsers.flatMap((u) => ['--add-scram', `SCRAM-SHA-512=[name=${u.name},password=${u.password}]`]),
      ],
      { jvm: [] },
    ).filter((a) => !a.startsWith('-Xm')),
    { encoding: 'utf8' },
  );
  if (res.error) throw new BrokerError(`Java 17+ is needed to run Kafka and could not run (${res.error.message}).`);
  if (res.status !== 0)
    throw new BrokerError(`Formatting the Kafka data dir ${cfg.storeDir} failed: ${(res.stderr || res.stdout).trim()}`);
  return true;
}

function readPid(cfg) {
  if (!existsSync(cfg.pidFile)) return undefined;
  const pid = Number(readFileSync(cfg.pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function alive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A pid can be reused by an unrelated process after a reboot: only a Kafka JVM counts.
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka');
  } catch {
    return true;
  }
}

function portOpen(port) {
  return new Promise((done) => {
    const socket = createConnection({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      done(false);
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function startedInLog(cfg, fromByte) {
  if (!existsSync(cfg.outFile)) return false;
  return readFileSync(cfg.outFile).subarray(fromByte).toString('utf8').includes('Kafka Server started');
}

export async function status(cfg = brokerConfig()) {
  const pid = readPid(cfg);
  const running = alive(pid);
  return {
    running,
    pid: running ? pid : undefined,
    port: cfg.port,
    listening: await portOpen(cfg.port),
    dataDir: cfg.dataDir,
  };
}

/** Starts the broker unless ours is already running; resolves when it serves clients. Returns true if it started one. */
export async function start(cfg = brokerConfig()) {
  const pid = readPid(cfg);
  if (alive(pid)) {
    // Ours, possibly still starting: ready once it listens.
    await waitReady(cfg, pid, () => portOpen(cfg.port));
    return false;
  }
  if (pid) rmSync(cfg.pidFile, { force: true }); // stale pid file from a killed broker
  for (const p of [cfg.port, cfg.controllerPort, cfg.saslSslPort, cfg.sslPort].filter((x) => x !== undefined)) {
    if (await portOpen(p)) {
      throw new BrokerError(
        `Port ${p} on ${host} is already taken by another process (not the broker of ${cfg.dataDir}); stop it or set KAFKA_PORT/KAFKA_CONTROLLER_PORT to free ports.`,
      );
    }
  }
  fetchJars();
  format(cfg);
  mkdirSync(cfg.logDir, { recursive: true });
  const offset = existsSync(cfg.outFile) ? readFileSync(cfg.outFile).length : 0;
  const out = openSync(cfg.outFile, 'a');
  const child = spawn('java', java(cfg, 'kafka.Kafka', [cfg.propsFile]), {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  writeFileSync(cfg.pidFile, String(child.pid));
  await waitReady(cfg, child.pid, async () => startedInLog(cfg, offset) && (await portOpen(cfg.port)));
  return true;
}

async function waitReady(cfg, pid, isReady) {
  const deadline = Date.now() + cfg.startTimeoutMs;
  while (Date.now() < deadline) {
    if (!alive(pid)) {
      const tail = existsSync(cfg.outFile) ? readFileSync(cfg.outFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      rmSync(cfg.pidFile, { force: true });
      throw new BrokerError(`The Kafka broker exited during start-up; last lines of ${cfg.outFile}:\n${tail}`);
    }
    if (await isReady()) return;
    await sleep(200);
  }
  throw new BrokerError(`The Kafka broker did not become ready within ${cfg.startTimeoutMs} ms; see ${cfg.outFile}.`);
}

/** Stops our broker (SIGTERM, then SIGKILL after 30 s). Returns true if one was running. */
export async function stop(cfg = brokerConfig()) {
  const pid = readPid(cfg);
  if (!alive(pid)) {
    rmSync(cfg.pidFile, { force: true });
    return false;
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (alive(pid) && Date.now() < deadline) await sleep(200);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(100);
  rmSync(cfg.pidFile, { force: true });
  return true;
}

async function main(cmd) {
  const cfg = brokerConfig();
  switch (cmd) {
    case 'fetch':
      console.log(fetchJars() ? `Kafka jars fetched into ${libDir}` : `Kafka jars already in ${libDir}`);
      return;
    case 'format':
      fetchJars();
      console.log(format(cfg) ? `formatted ${cfg.storeDir}` : `${cfg.storeDir} already formatted`);
      return;
    case 'start':
    case 'ensure': {
      const t0 = Date.now();
      const started = await start(cfg);
      console.log(
        started
          ? `Kafka started on ${host}:${cfg.port} in ${Date.now() - t0} ms`
          : `Kafka already running on ${host}:${cfg.port}`,
      );
      return;
    }
    case 'certs':
      console.log(
        certs(cfg) ? `test certificates made in ${cfg.tlsDir}` : `test certificates already in ${cfg.tlsDir}`,
      );
      return;
    case 'stop':
      console.log((await stop(cfg)) ? 'Kafka stopped' : 'Kafka was not running');
      return;
    case 'status': {
      const s = await status(cfg);
      console.log(
        s.running
          ? `Kafka running (pid ${s.pid}) on ${host}:${s.port}, data in ${s.dataDir}`
          : `Kafka not running${s.listening ? ` (but port ${s.port} is taken by another process)` : ''}`,
      );
      process.exitCode = s.running ? 0 : 3;
      return;
    }
    default:
      throw new BrokerError(`Unknown command "${cmd}": use fetch, format, certs, start, stop or status.`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2] ?? 'status').catch((err) => {
    console.error(err instanceof BrokerError ? err.message : err);
    process.exit(1);
  });
}
