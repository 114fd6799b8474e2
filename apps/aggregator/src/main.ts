import 'reflect-metadata';
import { startHttpService } from '@switchboard/service';
import { AggregatorModule } from './app.module';

void startHttpService({
  name: 'aggregator',
  module: AggregatorModule,
  port: Number(process.env.AGGREGATOR_PORT ?? 3001),
});
