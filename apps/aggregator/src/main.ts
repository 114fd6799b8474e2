import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { securityHeaders, serviceStatus } from '@switchboard/service';
import { Logger } from 'nestjs-pino';
import { AggregatorModule } from './app.module';
import { loadAggregatorConfig } from './config';
import { aggregatorPipelines } from './pipelines';

async function main(): Promise<void> {
  const config = loadAggregatorConfig();
  const status = serviceStatus({
    service: 'aggregator',
    kafka: config.kafka,
    groupPrefix: config.groupPrefix,
    instanceId: config.instanceId,
    topicNamespace: config.topicNamespace,
  }).exitOnCrash();
  // Running once HTTP listens and the pipelines started (listen runs onApplicationBootstrap).
  const app = await status.boot(
    async () => {
      const app = await NestFactory.create(
        AggregatorModule.register({ config, pipelines: aggregatorPipelines, status }),
        { bufferLogs: true },
      );
      app.useLogger(app.get(Logger));
      app.use(securityHeaders());
      app.enableShutdownHooks();
      return app;
    },
    (app) => app.listen(config.http.port, config.http.host),
  );
  app.get(Logger).log(`aggregator ${config.instanceId ?? process.pid} on ${await app.getUrl()}`, 'Aggregator');
}

main().catch((err) => {
  process.stderr.write(`aggregator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
