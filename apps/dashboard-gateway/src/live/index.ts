export { type ChannelDelta, ChannelLog, type LiveRow } from './channel-log';
export { LiveModule } from './live.module';
export { LiveService } from './live.service';
export { DEFAULT_LIVE_LIMITS, type LiveLimits, type LiveModuleOptions } from './live-options';
export * from './protocol';
