import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createIngestApp } from './bootstrap';
import { loadIngestConfig } from './config';

async function main(): Promise<void> {
  const config = loadIngestConfig();
  const app = await createIngestApp({ config });
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`ingest listening on ${await app.getUrl()} (docs at /docs)`, 'Ingest');
}

main().catch((err) => {
  // Before the logger exists (bad config) the error still reaches the operator, as one readable line.
  process.stderr.write(`ingest failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
