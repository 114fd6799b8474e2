import { AutoOffsetReset, type StreamingClient } from '@switchboard/streams';
import { uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// A consumer must know a stream's properties (e.g. a meter's timezone) before it handles the data that
// was published after them; a change mid-stream is seen before the rows that follow the change.
describe('stream properties reach the consumer before the data that followed them', () => {
  let client: StreamingClient;
  afterEach(() => client.close());

  it('orders property snapshots and rows as published', async () => {
    client = testClient();
    const topic = uniqueName('t-props');
    const producer = await client.getTopicProducer(topic);
    const stream = producer.getOrCreateStream('meter-42');
    stream.properties.name = 'Meter 42';
    stream.properties.location = '/acme/london/site-3';
    stream.properties.metadata.set('site', 'site-3');
    stream.properties.parents.push('site-3');
    stream.timeseries.buffer.addTimestamp(1000).addValue('energyWh', 1).publish();
    await stream.flush();
    stream.properties.metadata.set('timezone', 'Europe/London');
    stream.timeseries.buffer.addTimestamp(2000).addValue('energyWh', 2).publish();
    await stream.flush();

    const log: string[] = [];
    const consumer = await client.getTopicConsumer(topic, {
      consumerGroup: uniqueName('g'),
      autoOffsetReset: AutoOffsetReset.Earliest,
    });
    consumer.onStreamReceived((s) => {
      s.properties.onChanged(() =>
        log.push(
          `props ${s.properties.name} ${s.properties.location} ${[...s.properties.metadata].join(';')} parents=${s.properties.parents.join(',')}`,
        ),
      );
      s.timeseries.onDataReceived((d) => {
        for (const r of d.rows()) log.push(`row ${r.timestamp}`);
      });
    });
    await consumer.subscribe();

    await eventually(() => expect(log).toHaveLength(4));
    expect(log).toEqual([
      'props Meter 42 /acme/london/site-3 site,site-3 parents=site-3',
      'row 1000',
      'props Meter 42 /acme/london/site-3 site,site-3;timezone,Europe/London parents=site-3',
      'row 2000',
    ]);
  });
});
