import { type DynamicModule, Module } from '@nestjs/common';
import { defaultInstanceId, LIVE_OPTIONS, LiveService } from './live.service';
import { type LiveModuleOptions, resolveLiveOptions } from './live-options';

/**
 * The dashboard gateway's live delivery (README.md next to this file): `LiveModule.forRoot({ brokers, pool,
 * tokenSecret, topicNamespace?, path?, instanceId? })` in the app module. It attaches socket.io to the app's own
 * HTTP server at `path` when the app boots; options are validated here, once.
 */
@Module({})
export class LiveModule {
  static forRoot(options: LiveModuleOptions): DynamicModule {
    const resolved = resolveLiveOptions(options, defaultInstanceId());
    return {
      module: LiveModule,
      providers: [{ provide: LIVE_OPTIONS, useValue: resolved }, LiveService],
      exports: [LiveService],
    };
  }
}
