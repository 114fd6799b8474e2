import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { namespaced, Topics } from '@switchboard/domain';
import { Kafka, logLevel } from 'kafkajs';
import { LiveModule } from '../../apps/dashboard-gateway/src/live';
import { untilLive } from '../gateway/support/gateway-app';
import { testEnv, uniqueName } from '../support/env';
import { eventually } from '../support/wait';
import { Probe, SECRET, testPool, token } from './live-harness';

// The services panel's consumer lag: the aggregator's checkpoints in Postgres against the topic's end offsets in
// Kafka, per partition, on the operator-only `lag` channel; its versions grow with every change of the figures.
describe('live delivery: consumer lag for operators', () => {
  const namespace = uniqueName('lag');
  const groupPrefix = uniqueName('agg').replaceAll('-', '_');
  const group = `${groupPrefix}.energy`;
  const topic = namespaced(Topics.meters, namespace);
  const operatorTenant = uniqueName('ops').replaceAll('-', '_');
  const pool = testPool();
  const kafka = new Kafka({ brokers: testEnv.brokers, clientId: uniqueName('lag'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer();
  const probes: Probe[] = [];
  let app: INestApplication;
  let url: string;

  const probe = (auth: Record<string, unknown>) => {
    const p = new Probe(url, auth);
    probes.push(p);
    return p;
  };
  const produce = (partition: number, n: number) =>
    producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ partition, key: `m${i}`, value: '{}' })) });
  const checkpoint = (partition: number, next: number | null, owner: string, g = group) =>
    pool.query(
      `INSERT INTO streams_offsets (consumer_group, topic, partition, next_offset, owner_id, owner_epoch, updated_at)
       VALUES ($1, $2, $3, $4, $5, 1, now())
       ON CONFLICT (consumer_group, topic, partition)
       DO UPDATE SET next_offset = EXCLUDED.next_offset, owner_id = EXCLUDED.owner_id, updated_at = now()`,
      [g, topic, partition, next, owner],
    );
  /** The lag rows as a client applying frames in order holds them (id → row); and every version it saw per id. */
  const held = (p: Probe) => {
    const rows = new Map<string, Record<string, unknown> | null>();
    const seen = new Map<string, number[]>();
    for (const f of p.of('lag')) {
      if (f.type === 'snapshot') rows.clear();
      for (const r of f.rows) {
        rows.set(r.id, r.row);
        seen.set(r.id, [...(seen.get(r.id) ?? []), r.version]);
      }
    }
    return { rows, seen };
  };

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2 }] });
    await producer.connect();
    await produce(0, 5);
    await produce(1, 3);
    // Partition 0 checkpointed at 2 by agg-1; partition 1 never acquired. A group of another prefix that only
    // starts with the same characters must not show.
    await checkpoint(0, 2, 'agg-1');
    await checkpoint(0, 0, 'other', `${groupPrefix}x.energy`);
    const moduleRef = await Test.createTestingModule({
      imports: [
        LiveModule.forRoot({
          brokers: testEnv.brokers,
          pool,
          topicNamespace: namespace,
          tokenSecret: SECRET,
          instanceId: 'lag-test',
          consumerLag: { groupPrefix, intervalMs: 200 },
          operatorTenant,
        }),
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    await untilLive(app);
  });

  afterAll(async () => {
    for (const p of probes) p.close();
    await app?.close();
    await pool.query('DELETE FROM streams_offsets WHERE starts_with(consumer_group, $1)', [groupPrefix]);
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await producer.disconnect();
    await admin.disconnect();
    await pool.end();
  });

  it('gives each partition end − checkpoint with its owner, and moves when the checkpoint or the end moves', async () => {
    const op = probe({ token: token(operatorTenant, 'operator') });
    await op.connected();
    op.subscribe('lag');
    await eventually(() => {
      const { rows } = held(op);
      expect([...rows.keys()].sort()).toEqual([`${group}/${topic}/0`, `${group}/${topic}/1`]);
      expect(rows.get(`${group}/${topic}/0`)).toEqual({
        consumer_group: group,
        topic,
        partition: 0,
        next_offset: 2,
        end_offset: 5,
        lag: 3,
        owner_id: 'agg-1',
        owner_epoch: 1,
        updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      // Never acquired: the group would read it from the log start.
      expect(rows.get(`${group}/${topic}/1`)).toMatchObject({
        next_offset: null,
        end_offset: 3,
        lag: 3,
        owner_id: null,
      });
    });

    await checkpoint(0, 5, 'agg-2');
    await eventually(() =>
      expect(held(op).rows.get(`${group}/${topic}/0`)).toMatchObject({ next_offset: 5, lag: 0, owner_id: 'agg-2' }),
    );
    await produce(0, 4);
    await checkpoint(1, 1, 'agg-2');
    await eventually(() => {
      const { rows } = held(op);
      expect(rows.get(`${group}/${topic}/0`)).toMatchObject({ next_offset: 5, end_offset: 9, lag: 4 });
      expect(rows.get(`${group}/${topic}/1`)).toMatchObject({ next_offset: 1, end_offset: 3, lag: 2 });
    });

    // Every change came with a higher version: the client never went back.
    for (const [id, versions] of held(op).seen) {
      expect({ id, versions }).toEqual({ id, versions: [...versions].sort((a, b) => a - b) });
      expect(new Set(versions).size).toBe(versions.length);
    }
    expect(held(op).seen.get(`${group}/${topic}/0`)?.length).toBeGreaterThanOrEqual(3);

    // Its checkpoints deleted (a replay resets the group): the rows go, as tombstones.
    await pool.query('DELETE FROM streams_offsets WHERE consumer_group = $1', [group]);
    await eventually(() => expect([...held(op).rows.values()]).toEqual([null, null]));
  });

  it("refuses a supervisor token and another tenant's tokens with forbidden; malformed input gets bad_message", async () => {
    const other = uniqueName('tb').replaceAll('-', '_');
    const refused = [
      probe({ token: token(operatorTenant, 'supervisor') }),
      probe({ token: token(other, 'operator') }),
      probe({ token: token(other, 'analyst') }),
    ];
    await Promise.all(refused.map((p) => p.connected()));
    for (const p of refused) {
      p.subscribe('lag');
      p.subscribe('services');
    }
    await eventually(() => {
      for (const p of refused) {
        expect(p.errors).toEqual([
          { code: 'forbidden', message: expect.any(String), channel: 'lag' },
          { code: 'forbidden', message: expect.any(String), channel: 'services' },
        ]);
      }
    });
    expect(refused[0].errors[0].message).toBe(
      "the lag channel is for the role operator; the token's role is supervisor",
    );
    expect(refused[1].errors[0].message).toBe(
      `the lag channel is for operator tokens of the operator tenant, not of tenant ${other}`,
    );

    const op = probe({ token: token(operatorTenant, 'operator') });
    await op.connected();
    op.socket.emit('subscribe', 'lag');
    op.socket.emit('subscribe', { channel: 'lag', resume: { epoch: 'e' } });
    op.socket.emit('subscribe', { channel: 'lag', group: 'x' });
    op.socket.emit('subscribe', { channel: 'lag', pad: 'x'.repeat(5000) });
    await eventually(() =>
      expect(op.errors.map((e) => e.code)).toEqual(['bad_message', 'bad_message', 'bad_message', 'too_large']),
    );
    for (const e of op.errors) expect(e.message).toMatch(/^subscribe/);
    // The connection stays, and the refused ones never got a frame.
    op.subscribe('lag');
    await eventually(() => expect(op.of('lag').length).toBe(1));
    expect(refused.flatMap((p) => p.frames)).toEqual([]);
  });
});
