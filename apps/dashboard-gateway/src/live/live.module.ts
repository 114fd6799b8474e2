import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { nestStreamsLogger, streamingClientOptions } from '@switchboard/service';
import { StreamsModule } from '@switchboard/streams/nest';
import { defaultInstanceId, LIVE_OPTIONS, LiveService } from './live.service';
import { type LiveModuleOptions, resolveLiveOptions } from './live-options';

/**
 * The dashboard gateway's live delivery (README.md next to this file): `LiveModule.forRoot({ brokers, pool,
 * tokenSecret, topicNamespace?, path?, instanceId? })` in the app module. It attaches socket.io to the app's own
 * HTTP server at `path` when the app boots; options are validated here, once. Kafka is reached only through the
 * streams library: the app's StreamingClient comes from its Nest module (`StreamsModule`, closed on shutdown).
 */
@Module({})
export class LiveModule {
  static forRoot(options: LiveModuleOptions): DynamicModule {
    const resolved = resolveLiveOptions(options, defaultInstanceId());
    return {
      module: LiveModule,
      imports: [
        StreamsModule.forRoot({
          ...streamingClientOptions(
            { ...resolved.kafka, brokers: resolved.brokers },
            `dashboard-gateway-live-${resolved.instanceId}`,
          ),
          retries: 8,
          logger: nestStreamsLogger(new Logger('LiveModule:kafka')),
        }),
      ],
      providers: [{ provide: LIVE_OPTIONS, useValue: resolved }, LiveService],
      exports: [LiveService],
    };
  }
}
