import { useSecureBroker } from '../support/secure-broker';
import { failedStarts, REFUSED_WITHIN_MS } from './failed-start';

// Mutual TLS with a client certificate the broker's CA did not sign, and with none at all: the broker ends the
// handshake, and the service fails its start with the broker's alert instead of retrying.

const leased = useSecureBroker();

describe('a client certificate the broker does not trust', () => {
  it('fails the start, as does a missing client certificate', async () => {
    const broker = leased();
    const mtls = { KAFKA_BROKERS: broker.ssl, KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_FILE: broker.files.ca };
    const [stranger] = await failedStarts(
      { ...mtls, KAFKA_SSL_CERT_FILE: broker.stranger.clientCert, KAFKA_SSL_KEY_FILE: broker.stranger.clientKey },
      ['aggregator'],
    );
    const [none] = await failedStarts(mtls, ['ingest']);
    for (const [end, summary] of [
      [stranger, 'SSL with a client certificate'],
      [none, 'SSL'],
    ] as const) {
      expect({ service: end.service, code: end.code }).toEqual({ service: end.service, code: 1 });
      expect(end.ms).toBeLessThan(REFUSED_WITHIN_MS);
      expect(end.output).toContain(
        `${end.service} failed to start: Kafka at ${broker.ssl} refused the connection (${summary}): TLS with the Kafka broker ${broker.ssl} failed (ERR_SSL_`,
      );
      expect(end.output).toMatch(/alert (bad certificate|certificate unknown|unknown ca|certificate required)/i);
      expect(end.output).toContain('for mutual TLS, KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE');
    }
  }, 240_000);
});
