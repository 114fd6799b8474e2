import { saslSslEnv, useSecureBroker } from '../support/secure-broker';
import { runSwitchboard } from '../support/switchboard-cli';
import { failedStarts, REFUSED_WITHIN_MS } from './failed-start';

// A wrong SASL password: every service fails its start at once, saying which variables to check (never the password
// itself), instead of retrying behind a healthy-looking process; the CLI fails the same way.

const leased = useSecureBroker();

describe('a wrong SASL password', () => {
  it('fails the start of every service and the CLI, naming the variables to check', async () => {
    const broker = leased();
    const wrong = `not-${broker.password}`;
    const env = saslSslEnv(broker, {
      KAFKA_SASL_PASSWORD: wrong,
    });
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
