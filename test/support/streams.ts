import { StreamingClient, type StreamsLogger } from '@switchboard/streams';
import { testEnv, uniqueName } from './env';

const quiet: StreamsLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A client on the test broker; tests close it in afterEach/afterAll. */
export function testClient(name = 'test'): StreamingClient {
  return new StreamingClient({ brokers: testEnv.brokers, clientId: uniqueName(name), logger: quiet });
}
