import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

// No Docker engine runs here, so the compose file is checked by reading it: the stack it describes must
// be the one `npm start` runs, with healthchecks gating start-up order.
interface Service {
  image?: string;
  build?: unknown;
  ports?: string[];
  environment?: Record<string, string | number>;
  healthcheck?: { test: string[] | string };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync(join(__dirname, '..', '..', 'docker-compose.yml'), 'utf8')) as {
  version?: string;
  services: Record<string, Service>;
};

describe('docker-compose.yml', () => {
  it('has no obsolete version key and names its services', () => {
    expect(compose.version).toBeUndefined();
    expect(Object.keys(compose.services)).toEqual(expect.arrayContaining(['kafka', 'postgres', 'migrate']));
  });

  it('runs Kafka from the official image in single-node KRaft mode, replication factor 1 for internals', () => {
    const kafka = compose.services.kafka;
    expect(kafka.image).toMatch(/^apache\/kafka:4\./);
    const env = kafka.environment!;
    expect(env.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(env.KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR).toBe(1);
    expect(env.KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR).toBe(1);
    expect(env.KAFKA_NUM_PARTITIONS).toBe(2);
    expect(kafka.ports).toContain('9092:9092');
  });

  it('gives every infrastructure service a healthcheck', () => {
    for (const name of ['kafka', 'postgres']) expect(compose.services[name].healthcheck?.test).toBeDefined();
  });

  it('starts dependants only when what they depend on is healthy', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect({ name, dep, known: dep in compose.services }).toEqual({ name, dep, known: true });
        expect(cond.condition).toMatch(/^service_(healthy|completed_successfully)$/);
        if (compose.services[dep].healthcheck) expect(cond.condition).toBe('service_healthy');
      }
    }
    expect(compose.services.migrate.depends_on?.postgres.condition).toBe('service_healthy');
  });
});
