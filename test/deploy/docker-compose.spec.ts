import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { AGGREGATOR_ENV_KEYS } from '../../apps/aggregator/src/config';
import { CLI_ENV_KEYS } from '../../apps/cli/src/env';
import { GATEWAY_ENV_KEYS } from '../../apps/dashboard-gateway/src/config';
import { INGEST_ENV_KEYS } from '../../apps/ingest/src/config';
import { MIGRATION_ENV_KEYS } from '../../migrations/data-source';
import {
  BUILD_DIR,
  type ComposeService,
  ensureBuilt,
  loadCompose,
  publishedContainerPort,
  ROOT,
  serviceEnv,
} from '../support/compose';

// No Docker engine runs here, so the compose file and the Dockerfile are checked by reading them, against the config
// schemas of the apps and against the build output the image copies (`npm run build`, dist/ = the image's /app).
const compose = loadCompose();
const services = compose.services;
const built = (svc: ComposeService) => svc.build !== undefined;

/** What each entry point of the build output reads from the environment (its config schema's keys). */
const ENV_KEYS_BY_ENTRY: Record<string, readonly string[]> = {
  'apps/ingest/src/main.js': INGEST_ENV_KEYS,
  'apps/aggregator/src/main.js': AGGREGATOR_ENV_KEYS,
  'apps/dashboard-gateway/src/main.js': GATEWAY_ENV_KEYS,
  'apps/cli/src/main.js': CLI_ENV_KEYS,
  'migrations/migrate.js': MIGRATION_ENV_KEYS,
};
/** The services that answer HTTP: the variable that sets their port. */
const PORT_VARIABLE: Record<string, string> = {
  'apps/ingest/src/main.js': 'INGEST_PORT',
  'apps/aggregator/src/main.js': 'AGGREGATOR_PORT',
  'apps/dashboard-gateway/src/main.js': 'DASHBOARD_GATEWAY_PORT',
};

function healthcheckText(svc: ComposeService): string {
  const test = svc.healthcheck?.test ?? [];
  return Array.isArray(test) ? test.join(' ') : test;
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

beforeAll(async () => {
  await ensureBuilt();
}, 240_000);

describe('docker-compose.yml', () => {
  it('has no obsolete version key and runs the whole demo', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(services).sort()).toEqual(
      [
        'aggregator',
        'dashboard-gateway',
        'dashboard-link',
        'ingest',
        'kafka',
        'migrate',
        'postgres',
        'simulator',
      ].sort(),
    );
  });

  it('gives every service an image or a build, and the services of this repo one image built from the Dockerfile', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect({ name, imageOrBuild: Boolean(svc.image || svc.build) }).toEqual({ name, imageOrBuild: true });
      if (built(svc))
        expect({ name, build: svc.build, image: svc.image }).toEqual({ name, build: '.', image: 'switchboard:local' });
    }
    expect(services.kafka.image).toMatch(/^apache\/kafka:4\./);
    expect(services.postgres.image).toMatch(/^postgres:\d+/);
  });

  it('runs Kafka in single-node KRaft mode, replication factor 1 for internals, listening on the compose network only', () => {
    const env = serviceEnv(services.kafka);
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe('1');
    expect(env.KAFKA_NUM_PARTITIONS).toBe('2');
    expect(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE).toBe('false');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:19092');
    expect(env.KAFKA_LISTENERS).toBe('PLAINTEXT://:19092,CONTROLLER://:9093'); // no listener for outside the network
    // every service that talks to Kafka uses the advertised listener
    for (const [name, svc] of Object.entries(services)) {
      const brokers = serviceEnv(svc).KAFKA_BROKERS;
      if (brokers !== undefined) expect({ name, brokers }).toEqual({ name, brokers: 'kafka:19092' });
    }
  });

  it('publishes only the ports of ingest and the gateway; Kafka and Postgres stay on the compose network', () => {
    const publishing = Object.entries(services)
      .filter(([, svc]) => (svc.ports ?? []).length > 0)
      .map(([name]) => name)
      .sort();
    expect(publishing).toEqual(['dashboard-gateway', 'ingest']);
    for (const [name, svc] of Object.entries(services)) {
      expect({ name, network_mode: svc.network_mode }).toEqual({ name, network_mode: undefined });
    }
    expect(services.ingest.ports?.map(publishedContainerPort)).toEqual([
      Number(serviceEnv(services.ingest).INGEST_PORT),
    ]);
    expect(services['dashboard-gateway'].ports?.map(publishedContainerPort)).toEqual([
      Number(serviceEnv(services['dashboard-gateway']).DASHBOARD_GATEWAY_PORT),
    ]);
    // published services listen beyond their container's loopback, or the published port reaches nothing
    expect(serviceEnv(services.ingest).INGEST_HOST).toBe('0.0.0.0');
    expect(serviceEnv(services['dashboard-gateway']).DASHBOARD_GATEWAY_HOST).toBe('0.0.0.0');
  });

  it('gives Postgres a password from the environment (a demo default) and no trust authentication', () => {
    const env = serviceEnv(services.postgres);
    expect(env.POSTGRES_PASSWORD).toBeTruthy();
    expect(env.POSTGRES_HOST_AUTH_METHOD).toBeUndefined();
    expect(loadCompose({ POSTGRES_PASSWORD: 's3cret' }).services.postgres.environment?.POSTGRES_PASSWORD).toBe(
      's3cret',
    );
    // every client of the database authenticates with that password, on the compose network
    for (const [name, svc] of Object.entries(services)) {
      const url = serviceEnv(svc).DATABASE_URL;
      if (url === undefined) continue;
      const u = new URL(url);
      expect({ name, host: u.host, user: u.username, password: u.password, db: u.pathname }).toEqual({
        name,
        host: 'postgres:5432',
        user: env.POSTGRES_USER,
        password: env.POSTGRES_PASSWORD,
        db: `/${env.POSTGRES_DB}`,
      });
    }
    const rotated = loadCompose({ POSTGRES_PASSWORD: 's3cret' }).services;
    expect(new URL(serviceEnv(rotated.ingest).DATABASE_URL).password).toBe('s3cret');
  });

  it('runs the migrations once, before the services', () => {
    expect(services.migrate.restart).toBe('no');
    expect(services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
    for (const name of ['ingest', 'aggregator', 'dashboard-gateway', 'simulator']) {
      expect({ name, migrate: services[name].depends_on?.migrate?.condition }).toEqual({
        name,
        migrate: 'service_completed_successfully',
      });
    }
  });

  it('gives every long-running service a healthcheck, the apps one on their own /health/ready', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (svc.restart === 'no') continue; // one-shot: dependants wait for it to complete
      expect({ name, healthcheck: healthcheckText(svc) !== '' && !svc.healthcheck?.disable }).toEqual({
        name,
        healthcheck: true,
      });
      const entry = svc.command?.[1];
      const portVar = entry ? PORT_VARIABLE[entry] : undefined;
      if (portVar) {
        const port = serviceEnv(svc)[portVar];
        expect({ name, test: healthcheckText(svc) }).toEqual({
          name,
          test: expect.stringContaining(`http://127.0.0.1:${port}/health/ready`),
        });
      }
    }
    expect(healthcheckText(services.simulator)).toContain('http://ingest:3000/health/ready');
  });

  it('starts dependants only when what they depend on is healthy or has completed', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect({ name, dep, known: dep in services }).toEqual({ name, dep, known: true });
        const expected = services[dep].restart === 'no' ? 'service_completed_successfully' : 'service_healthy';
        expect({ name, dep, condition: cond.condition }).toEqual({ name, dep, condition: expected });
        expect({
          name,
          dep,
          hasHealthcheck: expected === 'service_completed_successfully' || !!services[dep].healthcheck,
        }).toEqual({ name, dep, hasHealthcheck: true });
      }
      // whatever a service talks to, it waits for
      const env = serviceEnv(svc);
      if (env.KAFKA_BROKERS)
        expect({ name, kafka: svc.depends_on?.kafka?.condition }).toEqual({ name, kafka: 'service_healthy' });
      if (env.DATABASE_URL && name !== 'migrate') {
        expect({ name, migrate: svc.depends_on?.migrate?.condition }).toEqual({
          name,
          migrate: 'service_completed_successfully',
        });
      }
    }
    expect(services.simulator.depends_on?.ingest.condition).toBe('service_healthy');
    expect(services['dashboard-link'].depends_on?.['dashboard-gateway'].condition).toBe('service_healthy');
  });

  it('runs the long-running services of this repo under an init, so SIGTERM reaches Node and stops it', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (built(svc) && svc.restart !== 'no') expect({ name, init: svc.init }).toEqual({ name, init: true });
    }
  });

  it('runs two aggregator replicas that name themselves apart (INSTANCE_ID unset, so `<container hostname>-<pid>`)', () => {
    const aggregator = services.aggregator;
    expect(aggregator.deploy?.replicas).toBe(2);
    expect(serviceEnv(aggregator).INSTANCE_ID).toBeUndefined();
    // a fixed hostname or container name would give both replicas one name (and pid 1 each)
    expect(aggregator.hostname).toBeUndefined();
    expect(aggregator.container_name).toBeUndefined();
    expect(aggregator.ports).toBeUndefined();
  });

  it('runs the simulator for tenant demo against ingest, creating its own key in Postgres', () => {
    const cmd = services.simulator.command ?? [];
    expect(cmd.slice(0, 3)).toEqual(['node', 'apps/cli/src/main.js', 'simulate']);
    expect(cmd[cmd.indexOf('--tenant') + 1]).toBe('demo');
    expect(cmd[cmd.indexOf('--url') + 1]).toBe(`http://ingest:${serviceEnv(services.ingest).INGEST_PORT}`);
    expect(cmd).not.toContain('--key');
    expect(serviceEnv(services.simulator).DATABASE_URL).toBeDefined();
  });

  it('signs the dashboard link with the secret the gateway reads (its volume, or DASHBOARD_TOKEN_SECRET)', () => {
    const gateway = services['dashboard-gateway'];
    const link = services['dashboard-link'];
    expect(link.command).toEqual(['node', 'apps/cli/src/main.js', 'tokens', 'create', '--tenant', 'demo']);
    // the image's /app is dist/, and libs/service keeps the secret in <dist>/.data
    expect(gateway.volumes).toContain('gateway-data:/app/.data');
    expect(link.volumes).toContain('gateway-data:/app/.data');
    for (const v of ['DASHBOARD_TOKEN_SECRET', 'DASHBOARD_PUBLIC_URL']) {
      expect({ v, link: serviceEnv(link)[v] }).toEqual({ v, link: serviceEnv(gateway)[v] });
    }
    expect(serviceEnv(gateway).DASHBOARD_PUBLIC_URL).toBe(
      `http://localhost:${publishedContainerPort(gateway.ports?.[0] ?? '')}`,
    );
  });

  it('sets only variables that the app a service runs reads (its config schema)', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!built(svc)) continue;
      const entry = svc.command?.[1] ?? '';
      const accepted = ENV_KEYS_BY_ENTRY[entry];
      expect({ name, entry, knownEntry: accepted !== undefined }).toEqual({ name, entry, knownEntry: true });
      const unknown = Object.keys(serviceEnv(svc)).filter((k) => !accepted.includes(k));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });

  it('runs commands that exist in the build output', () => {
    for (const [name, svc] of Object.entries(services)) {
      if (!built(svc)) continue;
      const [node, entry, ...args] = svc.command ?? [];
      expect({ name, node }).toEqual({ name, node: 'node' });
      expect({ name, entry, exists: existsSync(join(BUILD_DIR, entry)) }).toEqual({ name, entry, exists: true });
      if (entry === 'apps/cli/src/main.js') {
        // the subcommand and its options exist: commander refuses unknown ones before doing anything
        const subcommand = args.filter((a) => !a.startsWith('-')).slice(0, args[0] === 'simulate' ? 1 : 2);
        const res = spawnSync(process.execPath, [entry, ...subcommand, '--help'], { cwd: BUILD_DIR, encoding: 'utf8' });
        expect({ name, status: res.status, stderr: res.stderr }).toEqual({ name, status: 0, stderr: '' });
        for (const option of args.filter((a) => a.startsWith('--'))) {
          expect({ name, option, listed: res.stdout.includes(option) }).toEqual({ name, option, listed: true });
        }
      }
    }
  });
});

describe('the build output (what the image runs)', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };

  it('requires only Node built-ins, its own files and production dependencies: no aliases, no TypeScript', () => {
    const builtins = new Set(builtinModules);
    const problems: string[] = [];
    for (const file of jsFiles(BUILD_DIR)) {
      const text = readFileSync(file, 'utf8');
      for (const [, spec] of text.matchAll(/\brequire\("([^"]+)"\)/g)) {
        const where = `${relative(BUILD_DIR, file)}: require("${spec}")`;
        if (spec.startsWith('.')) {
          if (spec.endsWith('.ts')) problems.push(`${where} names a TypeScript file`);
          continue;
        }
        if (builtins.has(spec.replace(/^node:/, ''))) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!(name in pkg.dependencies)) problems.push(`${where}: not a production dependency`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('holds the gateway page assets beside the compiled page controller', () => {
    const assets = join(BUILD_DIR, 'apps/dashboard-gateway/src/page/assets');
    expect(readdirSync(assets)).toEqual(
      expect.arrayContaining(['index.html', 'wallboard.js', 'services.html', 'services.js']),
    );
  });
});

describe('Dockerfile', () => {
  const lines = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = lines.reduce<string[][]>((acc, l) => {
    if (/^FROM\s/i.test(l)) acc.push([l]);
    else acc[acc.length - 1]?.push(l);
    return acc;
  }, []);
  const build = stages[0];
  const runtime = stages[stages.length - 1];

  it('builds in one stage and runs in another', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build[0]).toMatch(/^FROM node:20\S* AS build$/i);
    expect(build).toEqual(expect.arrayContaining(['RUN npm ci --no-audit --no-fund', 'RUN npm run build']));
  });

  it('runs the compiled output with production dependencies only, as a non-root user, without a TypeScript register', () => {
    expect(runtime.some((l) => /^RUN npm ci --omit=dev\b/.test(l))).toBe(true);
    expect(runtime).toContain('COPY --from=build /src/dist/ ./');
    expect(runtime.filter((l) => l.startsWith('USER '))).toEqual(['USER node']);
    expect(runtime.join('\n')).not.toMatch(/swc-node|ts-node|tsx|register/);
    const cmd = JSON.parse(runtime.find((l) => l.startsWith('CMD '))?.slice(4) ?? '[]') as string[];
    expect(cmd[0]).toBe('node');
    expect(existsSync(join(BUILD_DIR, cmd[1]))).toBe(true);
  });

  it('keeps local state and build output out of the build context', () => {
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.data', '.git']));
  });
});
