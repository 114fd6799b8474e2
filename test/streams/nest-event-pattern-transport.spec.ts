import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { AutoOffsetReset, StreamEndType, type StreamingClient } from '@switchboard/streams';
import { type StreamEvent, StreamsTransport } from '@switchboard/streams/nest';
import { testEnv, uniqueName } from '../support/env';
import { testClient } from '../support/streams';
import { eventually } from '../support/wait';

// A Nest app receives stream messages through @EventPattern(topic) handlers, in order per stream,
// with our consumer loop underneath (async handlers finish before the stream's next message).
const topic = uniqueName('t-nest');
const received: string[] = [];

@Controller()
class MeterHandler {
  @EventPattern(topic)
  async handle(@Payload() e: StreamEvent): Promise<void> {
    await new Promise((r) => setTimeout(r, 2)); // async work must not reorder
    if (e.kind === 'timeseries') for (const r of e.data.rows()) received.push(`${e.streamId} row ${r.numeric('n')}`);
    else if (e.kind === 'properties') received.push(`${e.streamId} props ${e.properties.name}`);
    else if (e.kind === 'event') received.push(`${e.streamId} event ${e.event.id}`);
    else received.push(`${e.streamId} end ${e.endType}`);
  }
}

@Module({ controllers: [MeterHandler] })
class MeterModule {}

describe('StreamsTransport for @nestjs/microservices', () => {
  let app: INestMicroservice;
  let producerClient: StreamingClient;

  afterAll(async () => {
    await app?.close();
    await producerClient?.close();
  });

  it('delivers properties, rows, events and the end to @EventPattern handlers in stream order', async () => {
    producerClient = testClient('p');
    const producer = await producerClient.getTopicProducer(topic);
    const s = producer.getOrCreateStream('meter-7');
    s.properties.name = 'Meter 7';
    for (let n = 1; n <= 3; n++) {
      s.timeseries.buffer.addTimestamp(n).addValue('n', n).publish();
      await s.flush();
    }
    s.events.addTimestamp(4).addValue('meter.tamper', 'cover opened').publish();
    await s.close(StreamEndType.Closed);

    const moduleRef = await Test.createTestingModule({ imports: [MeterModule] }).compile();
    app = moduleRef.createNestMicroservice({
      strategy: new StreamsTransport({
        client: { brokers: testEnv.brokers, clientId: uniqueName('nest') },
        consumer: { consumerGroup: uniqueName('g'), autoOffsetReset: AutoOffsetReset.Earliest },
      }),
    });
    await app.listen();

    await eventually(() => expect(received).toHaveLength(6));
    expect(received).toEqual([
      'meter-7 props Meter 7',
      'meter-7 row 1',
      'meter-7 row 2',
      'meter-7 row 3',
      'meter-7 event meter.tamper',
      'meter-7 end Closed',
    ]);
  });
});
