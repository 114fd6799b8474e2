import { saslSslEnv, useSecureBroker } from '../support/secure-broker';
import { endToEnd } from './end-to-end';

// A hosted Kafka's way: SASL_SSL with SCRAM-SHA-512, the broker's certificate signed by a CA given as a file.
// Every service, the status publishers and the CLI authenticate; nothing listens in plaintext for them.

const leased = useSecureBroker();

describe('over SASL_SSL (SCRAM-SHA-512)', () => {
  it('ingest → aggregator → gateway, and the CLI, run end to end', async () => {
    const broker = leased();
    const run = await endToEnd(
      saslSslEnv(broker, {
        KAFKA_CLIENT_ID_PREFIX: 'sasl-spec.',
      }),
    );
    expect(run.services.linesOf('aggregator')).toContain('pipelines running');
  }, 420_000);
});
