import 'reflect-metadata';
import { startHttpService } from '@switchboard/service';
import { IngestModule } from './app.module';

void startHttpService({ name: 'ingest', module: IngestModule, port: Number(process.env.INGEST_PORT ?? 3000) });
