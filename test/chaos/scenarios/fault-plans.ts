import { DeadLetterHeaders } from '@switchboard/streams';
import type { Message } from 'kafkajs';
import type { Rng } from '../../../apps/cli/src/simulate/rng';

import type { FaultPlan } from './fleet-scenario';
import { distinctMoments } from './seeded-random';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether publish `index` of `total` is one of `count` moments drawn (once, from the seed) in [from, to) of the input. */
function seededMoments(count: number, from: number, to: number) {
  let moments: Set<number> | undefined;
  return (index: number, total: number, rng: Rng): boolean => {
    moments ??= new Set(distinctMoments(rng, count, Math.floor(total * from), Math.floor(total * to)));
    return moments.has(index);
  };
}

/**
 * `kills` SIGKILLs of a random running instance at moments drawn from the seed, each replaced by a new instance at
 * once (as `npm start`'s supervisor does); half of the time the input goes on at once, otherwise after a pause of up
 * to 4 s, so some kills fall while the group still rebalances after the previous one.
 */
export function randomKills(kills: number): FaultPlan {
  const due = seededMoments(kills, 0.1, 0.9);
  return {
    scenario: `SIGKILL a random aggregator ×${kills}`,
    instances: 2,
    async before(index, total, fleet) {
      if (!due(index, total, fleet.rng)) return;
      const victim = fleet.running[fleet.rng.int(0, fleet.running.length - 1)];
      await fleet.stop(victim, 'SIGKILL');
      fleet.fault(`SIGKILL ${victim}`);
      fleet.start();
      if (fleet.rng.chance(0.5)) await pause(fleet.rng.int(0, 4000));
    },
  };
}

/**
 * SIGKILL during a rebalance, `times` times: a new instance joins (the group rebalances to give it partitions) and
 * 0.3–1.5 s later, while partitions are being revoked, handed over and restored, an older instance gets SIGKILL.
 */
export function killsDuringRebalance(times: number): FaultPlan {
  const due = seededMoments(times, 0.1, 0.8);
  return {
    scenario: `SIGKILL during a rebalance ×${times}`,
    instances: 2,
    async before(index, total, fleet) {
      if (!due(index, total, fleet.rng)) return;
      const older = fleet.running.slice();
      fleet.start();
      await pause(fleet.rng.int(300, 1500));
      const victim = older[fleet.rng.int(0, older.length - 1)];
      await fleet.stop(victim, 'SIGKILL');
      fleet.fault(`SIGKILL ${victim} while ${fleet.running[fleet.running.length - 1]} joined`);
    },
  };
}

/** Scale 1 → 3 → 1 under load: two instances join at a quarter of the input and leave (SIGTERM) at 60 %. */
export function scaleOneThreeOne(): FaultPlan {
  return {
    scenario: 'scale the aggregator 1 → 3 → 1',
    instances: 1,
    async before(index, total, fleet) {
      if (index === Math.floor(total * 0.25)) {
        fleet.start();
        fleet.start();
        fleet.fault('scale to 3');
      } else if (index === Math.floor(total * 0.6)) {
        const leaving = fleet.running.slice(-2);
        await Promise.all(leaving.map((name) => fleet.stop(name, 'SIGTERM')));
        fleet.fault(`scale to 1 (SIGTERM ${leaving.join(', ')})`);
      }
    },
  };
}

/**
 * The broker stops at 40 % of the input and starts again `outageMs` later while the sources go on sending: their
 * publishes are refused meanwhile and retried (as ingest answers 503 and the simulator retries), the aggregator
 * instances retry with back-off, and nothing acknowledged may be lost or doubled.
 */
export function brokerRestart(outageMs = 10_000): FaultPlan {
  return {
    scenario: 'stop and restart the broker',
    instances: 2,
    privateBroker: true,
    async before(index, total, fleet) {
      const broker = fleet.broker;
      if (index !== Math.floor(total * 0.4) || !broker) return;
      await broker.stop();
      fleet.fault(`broker stopped for ${outageMs / 1000} s`);
      fleet.meanwhile(pause(outageMs).then(() => broker.start()));
    },
  };
}

/** Messages no producer of ours writes, one of each way to be unreadable (each must become one dead letter). */
export function garbageMessages(): Message[] {
  const headers = (model: string, codec = 'json/1') => ({ 'sb-model': model, 'sb-codec': codec });
  return [
    { key: null, value: 'no key at all' },
    { key: 'garbage/x', headers: headers('timeseries', 'avro/9'), value: '{}' },
    { key: 'garbage/x', headers: headers('timeseries'), value: '{"timestamps": [1, 2' },
    { key: 'garbage/x', headers: headers('timeseries'), value: '{"timestamps": "yesterday"}' },
    { key: 'garbage/x', headers: headers('spreadsheet'), value: '{}' },
    { key: 'garbage/x', headers: headers('event'), value: 'x'.repeat(200_000) },
  ];
}

/**
 * Garbage into every input topic at 30, 50 and 70 % of the input (garbageMessages: no key, a foreign codec, broken
 * JSON, a wrong shape, an unknown model, 200 kB of text). Processing goes on, the tenants' rows stay exact, and
 * each garbage message is one dead letter on its topic's `<topic>.dlq`.
 */
export function garbageInEveryInput(): FaultPlan {
  const moments = [0.3, 0.5, 0.7];
  const sent = new Map<string, number>();
  return {
    scenario: 'garbage in every input topic',
    instances: 2,
    async before(index, total, fleet) {
      if (!moments.some((m) => index === Math.floor(total * m))) return;
      const garbage = garbageMessages();
      for (const topic of fleet.inputTopics) {
        await fleet.produceRaw(topic, garbage);
        sent.set(topic, (sent.get(topic) ?? 0) + garbage.length);
      }
      fleet.fault(`${garbage.length} garbage messages into each input`);
    },
    async afterDrain(fleet) {
      // A dead letter names the message it refused (its source partition and offset): counted once each, however
      // often the outbox relay published it (at least once: a send retried after a partial failure repeats it).
      const source = (h: Record<string, string>) =>
        `${h[DeadLetterHeaders.sourcePartition]}:${h[DeadLetterHeaders.sourceOffset]}`;
      const found = new Map<string, { distinct: number; records: number }>();
      for (const [topic, n] of sent) {
        const records = await fleet.readHeaders(`${topic}.dlq`, (r) => new Set(r.map(source)).size >= n, 30_000);
        found.set(topic, { distinct: new Set(records.map(source)).size, records: records.length });
      }
      const short = (topic: string) => topic.slice(topic.lastIndexOf('.') + 1);
      const resent = [...found.values()].reduce((a, f) => a + f.records - f.distinct, 0);
      return {
        failures: [...sent]
          .filter(([t, n]) => found.get(t)?.distinct !== n)
          .map(([t, n]) => `${t}.dlq names ${found.get(t)?.distinct} of the ${n} garbage messages sent`),
        note: `dead letters ${[...sent].map(([t, n]) => `${short(t)} ${found.get(t)?.distinct}/${n}`).join(', ')}${resent > 0 ? ` (${resent} published more than once)` : ''}`,
      };
    },
  };
}
