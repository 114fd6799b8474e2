import { type SecureBroker, secureBroker } from '../support/secure-broker';
import { endToEnd } from './end-to-end';

// A hosted Kafka's way: SASL_SSL with SCRAM-SHA-512, the broker's certificate signed by a CA given as a file.
// Every service, the status publishers and the CLI authenticate; nothing listens in plaintext for them.

let broker: SecureBroker;
beforeAll(async () => {
  broker = await secureBroker();
}, 240_000);
afterAll(() => broker?.release(), 60_000);

describe('over SASL_SSL (SCRAM-SHA-512)', () => {
  it('ingest → aggregator → gateway, and the CLI, run end to end', async () => {
    const run = await endToEnd({
      KAFKA_BROKERS: broker.saslSsl,
      KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: broker.username,
      KAFKA_SASL_PASSWORD: broker.password,
      KAFKA_SSL_CA_FILE: broker.files.ca,
      KAFKA_CLIENT_ID_PREFIX: 'sasl-spec.',
    });
    expect(run.services.linesOf('aggregator')).toContain('pipelines running');
  }, 420_000);
});
