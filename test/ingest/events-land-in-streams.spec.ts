import { Topics } from '@switchboard/domain';
import { json, type RunningIngest, startIngest } from './support/ingest-app';
import { StreamReader } from './support/stream-reader';

// End to end on the real broker: HTTP → libs/streams → Kafka → a streams consumer.
describe('events land in their entity streams (real broker)', () => {
  let ingest: RunningIngest;
  let reader: StreamReader;
  const tenants = new Set<string>();

  beforeAll(async () => {
    ingest = await startIngest(undefined);
    reader = new StreamReader((id) => tenants.has(id.split('/')[0]));
    await reader.start([Topics.calls, Topics.agents, Topics.meters]);
  });
  afterAll(async () => {
    await reader.close();
    await ingest.close();
  });

  it('routes calls, agents and meters to their streams; properties travel in the stream', async () => {
    const { tenant, key } = await ingest.newTenant();
    tenants.add(tenant);
    const t = Date.now() - 60_000;
    const ndjson = [
      { type: 'call.started', ts: t, callId: 'c1', queue: 'sales', id: 'e1' },
      { type: 'call.answered', ts: t + 5000, callId: 'c1', agentId: 'a1' },
      { type: 'call.ended', ts: t + 65_000, callId: 'c1' },
      { type: 'agent.status', ts: t + 5000, agentId: 'a1', status: 'busy' },
      { type: 'meter.reading', ts: t, meterId: 'm1', energyWh: 1000.125, powerW: 512.5, id: 'r1' },
      { type: 'meter.reading', ts: t + 15_000, meterId: 'm1', energyWh: 1002 },
      { type: 'call.bogus', ts: t },
    ]
      .map((e) => JSON.stringify(e))
      .join('\n');
    const res = await ingest.post('/v1/events', key, ndjson, 'application/x-ndjson');
    expect(res.status).toBe(202);
    expect(await json(res)).toMatchObject({ accepted: 6, rejected: [{ index: 6 }] });
    expect(
      (await ingest.post('/v1/meters/m1', key, JSON.stringify({ name: 'Main', site: 's1', timezone: 'Europe/Berlin' })))
        .status,
    ).toBe(200);
    expect((await ingest.post('/v1/queues/sales', key, JSON.stringify({ slaSeconds: 30 }))).status).toBe(200);

    const seen = await reader.waitFor(8);
    const of = (streamId: string) => seen.filter((s) => s.streamId === `${tenant}/${streamId}`);
    expect(of('c1')).toEqual([
      {
        topic: 'events.calls',
        streamId: `${tenant}/c1`,
        kind: 'event',
        timestamp: t,
        id: 'call.started',
        value: JSON.stringify({ callId: 'c1', queue: 'sales', id: 'e1' }),
      },
      {
        topic: 'events.calls',
        streamId: `${tenant}/c1`,
        kind: 'event',
        timestamp: t + 5000,
        id: 'call.answered',
        value: JSON.stringify({ callId: 'c1', agentId: 'a1' }),
      },
      {
        topic: 'events.calls',
        streamId: `${tenant}/c1`,
        kind: 'event',
        timestamp: t + 65_000,
        id: 'call.ended',
        value: JSON.stringify({ callId: 'c1' }),
      },
    ]);
    expect(of('a1')).toEqual([
      {
        topic: 'events.agents',
        streamId: `${tenant}/a1`,
        kind: 'event',
        timestamp: t + 5000,
        id: 'agent.status',
        value: JSON.stringify({ agentId: 'a1', status: 'busy' }),
      },
    ]);
    expect(of('m1')).toEqual([
      {
        topic: 'events.meters',
        streamId: `${tenant}/m1`,
        kind: 'row',
        timestamp: t,
        numbers: { energyWh: 1000.125, powerW: 512.5 },
        tags: { eventId: 'r1' },
      },
      {
        topic: 'events.meters',
        streamId: `${tenant}/m1`,
        kind: 'row',
        timestamp: t + 15_000,
        numbers: { energyWh: 1002, powerW: null },
        tags: {},
      },
      {
        topic: 'events.meters',
        streamId: `${tenant}/m1`,
        kind: 'properties',
        name: 'Main',
        metadata: { kind: 'meter', site: 's1', timezone: 'Europe/Berlin' },
      },
    ]);
    expect(of('sales')).toEqual([
      {
        topic: 'events.calls',
        streamId: `${tenant}/sales`,
        kind: 'properties',
        name: null,
        metadata: { kind: 'queue', slaSeconds: '30' },
      },
    ]);
  });

  it('reports readiness of Kafka and Postgres', async () => {
    const res = await fetch(`${ingest.url}/health/ready`);
    expect(res.status).toBe(200);
    expect((await json(res)).details).toMatchObject({ kafka: { status: 'up' }, postgres: { status: 'up' } });
  });
});
