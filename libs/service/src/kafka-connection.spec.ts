import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamingClient } from '@switchboard/streams';
import { issuesOf as envIssuesOf } from './env-spec-helpers';
import { loadKafkaConnection, streamingClientOptions } from './kafka-connection';

const dir = mkdtempSync(join(tmpdir(), 'kafka-connection-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const issuesOf = (env: NodeJS.ProcessEnv) => envIssuesOf(loadKafkaConnection, env);

describe('loadKafkaConnection', () => {
  it('defaults to plaintext on the local broker, creating topics, without a client id prefix', () => {
    const c = loadKafkaConnection({});
    expect(c).toMatchObject({
      brokers: ['127.0.0.1:9092'],
      clientIdPrefix: '',
      topics: 'create',
      summary: 'PLAINTEXT',
    });
    expect(c.ssl).toBeUndefined();
    expect(c.sasl).toBeUndefined();
  });

  it('reads SASL_SSL with SCRAM, the password from a mounted file (its trailing newline dropped) and the CA', () => {
    const c = loadKafkaConnection({
      KAFKA_BROKERS: 'b1:9093,b2:9093',
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'switchboard',
      KAFKA_SASL_PASSWORD_FILE: file('password', 's3cret-pw\n'),
      KAFKA_SSL_CA_FILE: file('ca.pem', 'CA PEM'),
      KAFKA_CLIENT_ID_PREFIX: 'team-a.',
      KAFKA_TOPICS: 'verify',
      KAFKA_TOPIC_PARTITIONS: '12',
      KAFKA_REPLICATION_FACTOR: '3',
    });
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'switchboard', password: 's3cret-pw' });
    expect(c.ssl).toEqual({ ca: Buffer.from('CA PEM') });
    expect(c.summary).toBe('SASL_SSL SCRAM-SHA-512 as switchboard');
    expect(streamingClientOptions(c, 'ingest')).toEqual({
      brokers: ['b1:9093', 'b2:9093'],
      clientId: 'team-a.ingest',
      ssl: { ca: Buffer.from('CA PEM') },
      sasl: c.sasl,
      topics: 'verify',
      defaultPartitions: 12,
      replicationFactor: 3,
    });
  });

  it('takes a client certificate and key for mutual TLS, and TLS with the system CAs when no file is given', () => {
    const mtls = loadKafkaConnection({
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CERT_FILE: file('client.pem', 'CERT'),
      KAFKA_SSL_KEY_FILE: file('client.key', 'KEY'),
    });
    expect(mtls.ssl).toEqual({ cert: Buffer.from('CERT'), key: Buffer.from('KEY') });
    expect(mtls.summary).toBe('SSL with a client certificate');
    expect(loadKafkaConnection({ KAFKA_SECURITY_PROTOCOL: 'SSL' }).ssl).toBe(true);
  });

  it('names the variable of every problem, and says what to set', () => {
    expect(issuesOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_TLS' })).toEqual([
      expect.stringMatching(/^KAFKA_SECURITY_PROTOCOL: .*SASL_SSL/),
    ]);
    expect(issuesOf({ KAFKA_SECURITY_PROTOCOL: 'SASL_SSL' })).toEqual([
      expect.stringMatching(/^KAFKA_SASL_MECHANISM: required with KAFKA_SECURITY_PROTOCOL SASL_SSL/),
      expect.stringMatching(/^KAFKA_SASL_USERNAME: required/),
      expect.stringMatching(/^KAFKA_SASL_PASSWORD: required/),
    ]);
    expect(issuesOf({ KAFKA_SASL_USERNAME: 'u' })).toEqual([
      'KAFKA_SASL_USERNAME: only used with KAFKA_SECURITY_PROTOCOL SASL_PLAINTEXT or SASL_SSL (it is PLAINTEXT)',
    ]);
    expect(issuesOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CERT_FILE: file('c2.pem', 'CERT') })).toEqual([
      expect.stringMatching(/^KAFKA_SSL_KEY_FILE: required with KAFKA_SSL_CERT_FILE/),
    ]);
    expect(issuesOf({ KAFKA_SSL_CA_FILE: '/x.pem' })).toEqual([
      expect.stringMatching(/^KAFKA_SSL_CA_FILE: only used with KAFKA_SECURITY_PROTOCOL SSL or SASL_SSL/),
    ]);
    expect(issuesOf({ KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') })).toEqual([
      `KAFKA_SSL_CA_FILE: cannot read ${join(dir, 'missing.pem')} (ENOENT)`,
    ]);
    expect(issuesOf({ KAFKA_BROKERS: 'kafka' })).toEqual(['KAFKA_BROKERS.0: each broker must be host:port']);
  });

  it('never puts a credential into a message: not the password, not a file of secrets', () => {
    const password = 'hunter2-do-not-print';
    const issues = issuesOf({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-257',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: password,
      KAFKA_SASL_PASSWORD_FILE: file('pw2', password),
    });
    expect(issues.join('\n')).not.toContain(password);
    expect(issues).toEqual([expect.stringMatching(/^KAFKA_SASL_MECHANISM: /)]);
    const both = issuesOf({
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: password,
      KAFKA_SASL_PASSWORD_FILE: file('pw3', password),
    });
    expect(both).toEqual([
      'KAFKA_SASL_PASSWORD_FILE: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both',
    ]);
  });

  it('gives the streams library options it accepts (it checks them again at construction)', async () => {
    const c = loadKafkaConnection({
      KAFKA_SECURITY_PROTOCOL: 'SASL_PLAINTEXT',
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: 'u',
      KAFKA_SASL_PASSWORD: 'p',
    });
    const client = new StreamingClient(streamingClientOptions(c, 'spec'));
    await client.close();
    expect(
      () =>
        new StreamingClient({
          brokers: ['b:1'],
          clientId: 'x',
          sasl: { mechanism: 'plain', username: 'u', password: '' },
        }),
    ).toThrow('sasl.password is required with sasl');
  });
});
