import { saslSslEnv, useSecureBroker } from '../support/secure-broker';
import { failedStarts, REFUSED_WITHIN_MS } from './failed-start';

// The broker's certificate is signed by a CA other than the one in KAFKA_SSL_CA_FILE (a wrong CA file, or someone
// between us and the broker): every service refuses the connection and fails its start, saying what to check.

const leased = useSecureBroker();

describe('a broker certificate our CA did not sign', () => {
  it('fails the start of every service at once, naming the TLS variables', async () => {
    const broker = leased();
    const ends = await failedStarts(
      saslSslEnv(broker, {
        KAFKA_SSL_CA_FILE: broker.stranger.ca,
      }),
    );
    for (const end of ends) {
      expect({ service: end.service, code: end.code }).toEqual({ service: end.service, code: 1 });
      expect(end.ms).toBeLessThan(REFUSED_WITHIN_MS);
      expect(end.output).toContain(
        `${end.service} failed to start: Kafka at ${broker.saslSsl} refused the connection (SASL_SSL SCRAM-SHA-512 as ${broker.username}): TLS with the Kafka broker ${broker.saslSsl} failed (SELF_SIGNED_CERT_IN_CHAIN)`,
      );
      expect(end.output).toContain('check KAFKA_SECURITY_PROTOCOL (the listener must speak TLS), KAFKA_SSL_CA_FILE');
      expect(end.output).not.toContain(broker.password);
    }
  }, 240_000);
});
