import { Pool } from 'pg';
import { standaloneStreamsPublisher } from '../../apps/ingest/src/publishing/streams-event-publisher';
import { AggregatorFleet } from './aggregator-fleet';
import { testEnv, uniqueName } from './env';

/**
 * What an end-to-end aggregator spec needs: a topic namespace of its own, a fleet of real aggregator processes on it,
 * ingest's publisher into it and a Postgres pool; `close()` stops all of them (call it in afterAll).
 */
export function fleetRig(name: string, settings: { graceMs: number; idleMs: number }) {
  const namespace = uniqueName(name);
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 4 });
  const fleet = new AggregatorFleet({ ...settings, extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace } });
  const publisher = standaloneStreamsPublisher({
    brokers: testEnv.brokers,
    clientId: name,
    timeoutMs: 30_000,
    topicNamespace: namespace,
  });
  return {
    namespace,
    pool,
    fleet,
    publisher,
    async close(): Promise<void> {
      await fleet.stopAll();
      await publisher.close();
      await pool.end();
    },
  };
}
