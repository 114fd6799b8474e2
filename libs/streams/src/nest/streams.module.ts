import { type DynamicModule, Inject, type InjectionToken, Module, type OnApplicationShutdown } from '@nestjs/common';
import { StreamingClient, type StreamingClientOptions } from '../client';

export const STREAMING_CLIENT = Symbol('STREAMING_CLIENT');

/** Injects the app's StreamingClient: `constructor(@InjectStreamingClient() client: StreamingClient)`. */
export const InjectStreamingClient = () => Inject(STREAMING_CLIENT);

class StreamingClientCloser implements OnApplicationShutdown {
  constructor(@Inject(STREAMING_CLIENT) private readonly client: StreamingClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}

export interface StreamsModuleAsyncOptions {
  imports?: DynamicModule['imports'];
  inject?: InjectionToken[];
  useFactory: (...args: never[]) => StreamingClientOptions | Promise<StreamingClientOptions>;
}

/**
 * Provides one StreamingClient to a Nest app and closes it on shutdown (after in-flight publishes are
 * acknowledged). The app supplies the options from its validated config; the library reads no env.
 */
@Module({})
export class StreamsModule {
  static forRoot(options: StreamingClientOptions): DynamicModule {
    return {
      module: StreamsModule,
      global: true,
      providers: [{ provide: STREAMING_CLIENT, useValue: new StreamingClient(options) }, StreamingClientCloser],
      exports: [STREAMING_CLIENT],
    };
  }

  static forRootAsync(options: StreamsModuleAsyncOptions): DynamicModule {
    return {
      module: StreamsModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: STREAMING_CLIENT,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) => new StreamingClient(await options.useFactory(...args)),
        },
        StreamingClientCloser,
      ],
      exports: [STREAMING_CLIENT],
    };
  }
}
