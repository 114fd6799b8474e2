import type { Topology } from '@switchboard/streams';

/**
 * The topology with checkpoints that take `ms` longer in Postgres (a sleep in their transaction), as the
 * aggregator's do under load: one is nearly always in flight, so a rebalance meets one.
 */
export function slowCheckpoints<R, M>(topology: Topology<R, M>, ms: number): Topology<R, M> {
  return {
    ...topology,
    writeResults: async (client, results) => {
      await client.query('SELECT pg_sleep($1)', [ms / 1000]);
      await topology.writeResults(client, results);
    },
  };
}
