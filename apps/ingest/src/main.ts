import 'reflect-metadata';
import { serviceStatus } from '@switchboard/service';
import { Logger } from 'nestjs-pino';
import { createIngestApp } from './bootstrap';
import { loadIngestConfig } from './config';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  const status = serviceStatus({
    service: 'ingest',
    kafka: config.kafka,
    instanceId: config.instanceId,
    topicNamespace: config.kafka.topicNamespace,
  }).exitOnCrash();
  const app = await status.boot(
    () => createIngestApp({ config, status }),
    (app) => app.listen(config.http.port, config.http.host),
  );
  app.get(Logger).log(`ingest listening on ${await app.getUrl()} (docs at /docs)`, 'Ingest');
}

main().catch((err) => {
  // Before the logger exists (bad config) the error still reaches the operator, as one readable line.
  process.stderr.write(`ingest failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
