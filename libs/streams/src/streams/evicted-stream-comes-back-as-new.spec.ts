import { StreamingClient } from '../client';
import { StreamEndType } from '../core/model/stream-end-type';
import { MemoryLog, memoryPort } from '../port/memory-port.spec-support';
import { AutoOffsetReset, CommitMode } from './consumer-options';

const quiet = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

// Over maxOpenStreams the least recently seen stream is evicted: its handlers learn it ended (Terminated), and a
// message of it afterwards is a new stream, whose properties come from the properties messages that follow.
describe('a stream evicted over the cap', () => {
  it('ends Terminated for its handlers and comes back as a new stream with the properties sent after it', async () => {
    const log = new MemoryLog();
    const client = new StreamingClient({
      brokers: ['memory:0'],
      clientId: 'memory',
      logger: quiet,
      kafka: () => memoryPort(log),
    });
    const producer = await client.getTopicProducer('calls');
    const meter = producer.getOrCreateStream('meter-1');
    meter.properties.name = 'Meter 1';
    meter.timeseries.buffer.addTimestamp(1).addValue('energyWh', 1).publish();
    await meter.flush();
    for (const id of ['call-2', 'call-3']) {
      const s = producer.getOrCreateStream(id);
      s.events.addTimestamp(2).addValue('call.started', '{}').publish();
      await s.flush();
    }
    // meter-1 was evicted by call-3 (cap 2): its data now reaches a new stream, without properties …
    meter.timeseries.buffer.addTimestamp(3).addValue('energyWh', 2).publish();
    await meter.flush();
    // … until its producer sends them again (they changed), before the data after them
    meter.properties.name = 'Meter 1 (renamed)';
    meter.timeseries.buffer.addTimestamp(4).addValue('energyWh', 3).publish();
    await meter.flush();

    const seen: string[] = [];
    const evictions: string[] = [];
    const consumer = await client.getTopicConsumer('calls', {
      consumerGroup: 'g',
      autoOffsetReset: AutoOffsetReset.Earliest,
      commit: { mode: CommitMode.Manual },
      maxOpenStreams: 2,
    });
    consumer.on('streams-evicted', (e) => evictions.push(`${e.reason}: ${e.streamIds.join(',')}`));
    consumer.onStreamReceived((s) => {
      seen.push(`received ${s.streamId}`);
      s.onStreamClosed((end) => seen.push(`closed ${s.streamId} ${end}`));
      s.timeseries.onDataReceived((d) => {
        for (const row of d.rows()) seen.push(`row ${row.timestamp} of ${s.properties.name ?? '(no name)'}`);
      });
    });
    await consumer.subscribe();

    expect(seen).toEqual([
      'received meter-1',
      'row 1 of Meter 1',
      'received call-2',
      `closed meter-1 ${StreamEndType.Terminated}`,
      'received call-3',
      `closed call-2 ${StreamEndType.Terminated}`,
      'received meter-1',
      'row 3 of (no name)',
      'row 4 of Meter 1 (renamed)',
    ]);
    expect(evictions).toEqual(['limit: meter-1', 'limit: call-2']);
    expect(consumer.streamStats).toEqual({ open: 2, evicted: { idle: 0, limit: 2 } });
    expect(consumer.openStreams().map((s) => s.streamId)).toEqual(['call-3', 'meter-1']);
    await client.close();
  });
});
