export {
  InjectStreamingClient,
  STREAMING_CLIENT,
  StreamsModule,
  type StreamsModuleAsyncOptions,
} from './streams.module';
export { type StreamEvent, StreamsTransport, type StreamsTransportOptions } from './streams.transport';
