import { type SecureBroker, secureBroker } from '../support/secure-broker';
import { endToEnd } from './end-to-end';

// A company's Kafka behind the firewall that authenticates clients by certificate: the SSL listener requires one
// its CA signed, and we check the broker's against the same CA.

let broker: SecureBroker;
beforeAll(async () => {
  broker = await secureBroker();
}, 240_000);
afterAll(() => broker?.release(), 60_000);

describe('over mutual TLS', () => {
  it('ingest → aggregator → gateway, and the CLI, run end to end with a client certificate', async () => {
    const run = await endToEnd({
      KAFKA_BROKERS: broker.ssl,
      KAFKA_SECURITY_PROTOCOL: 'SSL',
      KAFKA_SSL_CA_FILE: broker.files.ca,
      KAFKA_SSL_CERT_FILE: broker.files.clientCert,
      KAFKA_SSL_KEY_FILE: broker.files.clientKey,
    });
    expect(run.services.linesOf('aggregator')).toContain('pipelines running');
  }, 420_000);
});
