import { ServiceLifecycle, StreamingClient, type StreamsLogger } from '@switchboard/streams';
import { eventually } from '../support/wait';

// Where no broker listens, publishing the status never throws into the service: transitions still happen,
// every failed attempt is reported as an event, the logger hears of the outage once, and flush/close return.
describe('service status while Kafka is away', () => {
  it('keeps the status, reports the failure once in the log and never throws', async () => {
    const lines: { level: string; message: string }[] = [];
    const log = (level: string) => (message: string) => lines.push({ level, message });
    const logger: StreamsLogger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
    const client = new StreamingClient({ brokers: ['127.0.0.1:1'], clientId: 'status-outage', retries: 0, logger });
    const lifecycle = new ServiceLifecycle({ service: 'ingest', instanceId: 'outage-1' });
    const publisher = client.createServiceStatusPublisher(lifecycle, {
      topic: 'nowhere.service.status',
      heartbeatMs: 100,
    });
    const failures: { error: Error; status: string }[] = [];
    publisher.on('failure', (f) => failures.push(f));

    publisher.start();
    lifecycle.transition('Deploying');
    lifecycle.transition('Starting');
    await eventually(() => expect(failures.length).toBeGreaterThanOrEqual(3), 20_000);
    lifecycle.transition('Running');
    await eventually(() => expect(failures.at(-1)?.status).toBe('Running'), 20_000);

    expect(lifecycle.status).toBe('Running');
    expect(failures[0].error).toBeInstanceOf(Error);
    const outage = lines.filter((l) => /service status of ingest\/outage-1 not published/.test(l.message));
    expect(outage).toHaveLength(1);
    expect(outage[0].level).toBe('warn');
    await expect(publisher.flush()).resolves.toBeUndefined();
    await expect(client.close()).resolves.toBeUndefined();
  }, 60_000);
});
