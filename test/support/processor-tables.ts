import { createStreamsSchema, dropStreamsSchema } from '@switchboard/streams';
import { Pool } from 'pg';
import { testEnv, uniqueName } from './env';
import { createSumTable } from './sum-topology';

/** The library's checkpoint tables under a fresh prefix and a fresh sum table, for one processor spec file. */
export class ProcessorTables {
  readonly pool = new Pool({ connectionString: testEnv.databaseUrl, max: 6 });
  readonly prefix = `${uniqueName('p').replaceAll('-', '_')}_`;
  readonly table = uniqueName('sums').replaceAll('-', '_');

  async setUp(): Promise<void> {
    await createStreamsSchema(this.pool, this.prefix);
    await createSumTable(this.pool, this.table);
  }

  async tearDown(): Promise<void> {
    await this.pool.query(`DROP TABLE IF EXISTS ${this.table}`);
    await dropStreamsSchema(this.pool, this.prefix);
    await this.pool.end();
  }
}
