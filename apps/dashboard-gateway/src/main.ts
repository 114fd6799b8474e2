import 'reflect-metadata';
import { serviceStatus } from '@switchboard/service';
import { Logger } from 'nestjs-pino';
import { createGatewayApp } from './bootstrap';
import { loadGatewayConfig } from './config';

async function main(): Promise<void> {
  const config = loadGatewayConfig();
  const status = serviceStatus({
    service: 'dashboard-gateway',
    kafka: config.kafka,
    groupPrefix: config.consumerLag.groupPrefix,
    instanceId: config.instanceId,
    topicNamespace: config.kafka.topicNamespace,
  }).exitOnCrash();
  const app = await status.boot(
    () => createGatewayApp({ config, status }),
    (app) => app.listen(config.http.port, config.http.host),
  );
  app
    .get(Logger)
    .log(
      `dashboard-gateway listening on ${await app.getUrl()} (docs at /docs, dashboard at ${config.publicUrl})`,
      'Gateway',
    );
}

main().catch((err) => {
  // Before the logger exists (bad config) the error still reaches the operator, as readable lines.
  process.stderr.write(`dashboard-gateway failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
