import { Pool } from 'pg';
import { standaloneStreamsPublisher } from '../../apps/ingest/src/publishing/streams-event-publisher';
import { AggregatorFleet } from './aggregator-fleet';
import { testEnv, uniqueName } from './env';

/**
 * What an end-to-end aggregator spec needs: a topic namespace of its own, a fleet of real aggregator processes on it,
 * ingest's publisher into it and a Postgres pool; `close()` stops all of them (call it in afterAll). `brokers`:
 * another cluster than the suite's (a private broker a spec stops and starts).
 */
export function fleetRig(
  name: string,
  settings: { graceMs: number; idleMs: number; brokers?: string[]; publishTimeoutMs?: number },
) {
  const namespace = uniqueName(name);
  const brokers = settings.brokers ?? testEnv.brokers;
  const pool = new Pool({ connectionString: testEnv.databaseUrl, max: 4 });
  const fleet = new AggregatorFleet({ ...settings, brokers, extraEnv: { SWITCHBOARD_TOPIC_NAMESPACE: namespace } });
  const publisher = standaloneStreamsPublisher({
    brokers,
    clientId: name,
    timeoutMs: settings.publishTimeoutMs ?? 30_000,
    topicNamespace: namespace,
  });
  return {
    namespace,
    brokers,
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
