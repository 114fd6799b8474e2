import { type SecureBroker, secureBroker } from '../support/secure-broker';
import { runSwitchboard } from '../support/switchboard-cli';
import { failedStarts, REFUSED_WITHIN_MS } from './failed-start';

// A wrong SASL password: every service fails its start at once, saying which variables to check (never the password
// itself), instead of retrying behind a healthy-looking process; the CLI fails the same way.

let broker: SecureBroker;
beforeAll(async () => {
  broker = await secureBroker();
}, 240_000);
afterAll(() => broker?.release(), 60_000);

describe('a wrong SASL password', () => {
  it('fails the start of every service and the CLI, naming the variables to check', async () => {
    const wrong = `not-${broker.password}`;
    const env = {
      KAFKA_BROKERS: broker.saslSsl,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: broker.username,
      KAFKA_SASL_PASSWORD: wrong,
      KAFKA_SSL_CA_FILE: broker.files.ca,
    };
    for (const end of await failedStarts(env)) {
      expect({ service: end.service, code: end.code }).toEqual({ service: end.service, code: 1 });
      expect(end.ms).toBeLessThan(REFUSED_WITHIN_MS);
      expect(end.output).toContain(
        `${end.service} failed to start: Kafka at ${broker.saslSsl} refused the connection (SASL_SSL SCRAM-SHA-512 as ${broker.username}): Kafka refused the SASL credentials: SASL SCRAM SHA512 authentication failed`,
      );
      expect(end.output).toContain('check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
      expect(end.output).not.toContain(wrong);
    }

    const started = Date.now();
    const verify = runSwitchboard(['verify', '--tenant', 'anyone'], env, REFUSED_WITHIN_MS);
    expect(Date.now() - started).toBeLessThan(REFUSED_WITHIN_MS);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toContain('SASL SCRAM SHA512 authentication failed');
    expect(verify.stdout + verify.stderr).not.toContain(wrong);
  }, 240_000);
});
