import { Pool } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { aggregatorPipelines } from '../../../apps/aggregator/src/pipelines';
import type { PipelineRunner } from '../../../apps/aggregator/src/pipelines/pipeline-runner';
import { AGGREGATE_TABLES } from '../../../apps/aggregator/src/replay/reset';
import { type RunningGateway, startGateway } from '../../gateway/support/gateway-app';
import { type RunningIngest, startIngest } from '../../ingest/support/ingest-app';
import { testEnv, uniqueName } from '../../support/env';
import { livePipelines } from '../../support/live-pipelines';
import { testClient } from '../../support/streams';
import { launchChromium, openPage } from './wallboard-gateway';

/**
 * The whole loop in this process for a page spec, on a topic namespace of its own: the real ingest, the aggregator's
 * pipelines, the gateway and a headless Chromium, each started when the spec asks (a spec may seed Postgres between
 * them). `close()` stops what was started and deletes its tenants' rows; `problems` collects the pages' console
 * errors and uncaught exceptions.
 */
export class LoopInProcess {
  readonly namespace: string;
  readonly pool = new Pool({ connectionString: testEnv.databaseUrl, max: 6 });
  readonly tenants: string[] = [];
  readonly problems: string[] = [];
  private readonly client;
  private ingestApp: RunningIngest | undefined;
  private runner: PipelineRunner | undefined;
  private gateway: RunningGateway | undefined;
  private chromium: Browser | undefined;

  constructor(name: string) {
    this.namespace = uniqueName(name);
    this.client = testClient(name);
  }

  get ingest(): RunningIngest {
    if (!this.ingestApp) throw new Error('LoopInProcess: startIngest() first');
    return this.ingestApp;
  }

  get gw(): RunningGateway {
    if (!this.gateway) throw new Error('LoopInProcess: startGateway() first');
    return this.gateway;
  }

  async startIngest(env: Record<string, string> = {}): Promise<RunningIngest> {
    this.chromium ??= await launchChromium();
    this.ingestApp = await startIngest(undefined, { SWITCHBOARD_TOPIC_NAMESPACE: this.namespace, ...env });
    return this.ingestApp;
  }

  /** A fresh tenant with an API key, deleted again by close(). */
  async newTenant(): Promise<{ tenant: string; key: string }> {
    const created = await this.ingest.newTenant();
    this.tenants.push(created.tenant);
    return created;
  }

  async startPipelines(pipelines: typeof aggregatorPipelines = aggregatorPipelines): Promise<void> {
    this.runner = livePipelines({ client: this.client, pool: this.pool, namespace: this.namespace }, pipelines);
    await this.runner.start();
  }

  async startGateway(): Promise<RunningGateway> {
    this.gateway = await startGateway({ SWITCHBOARD_TOPIC_NAMESPACE: this.namespace });
    return this.gateway;
  }

  /** A fresh page (its own context) at `path` on the gateway, at 1920×1080. */
  async open(path: string): Promise<Page> {
    if (!this.chromium) throw new Error('LoopInProcess: startIngest() first');
    const page = await openPage(this.chromium, `${this.gw.url}${path}`, this.problems);
    await page.setViewportSize({ width: 1920, height: 1080 });
    return page;
  }

  async close(): Promise<void> {
    await this.chromium?.close();
    await this.runner?.close();
    for (const table of [...AGGREGATE_TABLES, 'alert_settings', 'api_keys', 'tenants'])
      await this.pool.query(`DELETE FROM ${table} WHERE tenant = ANY($1)`, [this.tenants]).catch(() => undefined);
    await this.gateway?.close();
    await this.ingestApp?.close();
    await this.client.close();
    await this.pool.end();
  }
}
