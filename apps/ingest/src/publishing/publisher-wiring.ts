import type { DynamicModule, Provider } from '@nestjs/common';
import type { StreamingClient } from '@switchboard/streams';
import { STREAMING_CLIENT, StreamsModule } from '@switchboard/streams/nest';
import type { IngestConfig } from '../config';
import { EVENT_PUBLISHER, type EventPublisher } from './event-publisher';
import { publisherClientOptions, StreamsEventPublisher } from './streams-event-publisher';

/**
 * `EVENT_PUBLISHER` and what it needs: the app's one StreamingClient from the library's Nest module
 * (`StreamsModule`, `STREAMING_CLIENT`), or, when a test replaces the publisher (a broker-less port, a fake), that
 * publisher and no client at all.
 */
export function publisherWiring(
  config: IngestConfig,
  replacement: EventPublisher | undefined,
): { imports: DynamicModule[]; providers: Provider[] } {
  if (replacement) return { imports: [], providers: [{ provide: EVENT_PUBLISHER, useValue: replacement }] };
  const { brokers, clientId, topicNamespace } = config.kafka;
  const timeoutMs = config.publish.timeoutMs;
  return {
    imports: [StreamsModule.forRoot(publisherClientOptions({ brokers, clientId, timeoutMs, kafka: config.kafka }))],
    providers: [
      {
        provide: EVENT_PUBLISHER,
        inject: [STREAMING_CLIENT],
        useFactory: (client: StreamingClient) => new StreamsEventPublisher(client, { timeoutMs, topicNamespace }),
      },
    ],
  };
}
