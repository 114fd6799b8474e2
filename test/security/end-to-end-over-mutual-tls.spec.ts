import { useSecureBroker } from '../support/secure-broker';
import { endToEnd } from './end-to-end';

// A company's Kafka behind the firewall that authenticates clients by certificate: the SSL listener requires one
// its CA signed, and we check the broker's against the same CA.

const leased = useSecureBroker();

describe('over mutual TLS', () => {
  it('ingest → aggregator → gateway, and the CLI, run end to end with a client certificate', async () => {
    const broker = leased();
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
