import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadGatewayConfig } from './config';

describe('loadGatewayConfig', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'sb-gw-config-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('defaults: port 3002, public URL on that port, a secret file made in the data dir', () => {
    const c = loadGatewayConfig({}, dataDir);
    expect(c.http).toEqual({ port: 3002, host: '127.0.0.1' });
    expect(c.publicUrl).toBe('http://127.0.0.1:3002');
    expect(c.tokenSecret).toHaveLength(64);
    expect(loadGatewayConfig({ DASHBOARD_GATEWAY_PORT: '4100' }, dataDir)).toMatchObject({
      publicUrl: 'http://127.0.0.1:4100',
      tokenSecret: c.tokenSecret,
    });
  });

  it("reads the aggregator's group prefix and table prefix for consumer lag, and the operators' tenant", () => {
    expect(loadGatewayConfig({}, dataDir)).toMatchObject({
      consumerLag: { groupPrefix: 'aggregator', tablePrefix: 'streams_', intervalMs: 5000 },
      operatorTenant: 'operations',
    });
    expect(
      loadGatewayConfig(
        {
          AGGREGATOR_GROUP_PREFIX: 'agg_2',
          STREAMS_TABLE_PREFIX: 'sb_',
          DASHBOARD_GATEWAY_LAG_INTERVAL_MS: '2000',
          DASHBOARD_OPERATOR_TENANT: 'ops',
        },
        dataDir,
      ),
    ).toMatchObject({
      consumerLag: { groupPrefix: 'agg_2', tablePrefix: 'sb_', intervalMs: 2000 },
      operatorTenant: 'ops',
    });
    expect(() =>
      loadGatewayConfig(
        { AGGREGATOR_GROUP_PREFIX: 'a b', DASHBOARD_GATEWAY_LAG_INTERVAL_MS: '5', DASHBOARD_OPERATOR_TENANT: '../x' },
        dataDir,
      ),
    ).toThrow(
      /AGGREGATOR_GROUP_PREFIX.*\n.*DASHBOARD_GATEWAY_LAG_INTERVAL_MS.*\n.*DASHBOARD_OPERATOR_TENANT: must be a tenant id/s,
    );
  });

  it('reads the live bounds per tenant, with the live defaults, and refuses nonsense', () => {
    expect(loadGatewayConfig({}, dataDir).liveLimits).toEqual({
      maxQueueRowsPerTenant: 20_000,
      queueIdleMs: 86_400_000,
      maxMeterChannelsPerTenant: 200,
    });
    expect(
      loadGatewayConfig(
        {
          DASHBOARD_GATEWAY_QUEUE_ROWS_PER_TENANT: '5000',
          DASHBOARD_GATEWAY_QUEUE_IDLE_MS: '3600000',
          DASHBOARD_GATEWAY_METER_CHANNELS_PER_TENANT: '50',
        },
        dataDir,
      ).liveLimits,
    ).toEqual({ maxQueueRowsPerTenant: 5000, queueIdleMs: 3_600_000, maxMeterChannelsPerTenant: 50 });
    expect(() =>
      loadGatewayConfig(
        {
          DASHBOARD_GATEWAY_QUEUE_ROWS_PER_TENANT: '0',
          DASHBOARD_GATEWAY_QUEUE_IDLE_MS: '10',
          DASHBOARD_GATEWAY_METER_CHANNELS_PER_TENANT: 'lots',
        },
        dataDir,
      ),
    ).toThrow(
      /DASHBOARD_GATEWAY_QUEUE_ROWS_PER_TENANT.*\n.*DASHBOARD_GATEWAY_QUEUE_IDLE_MS.*\n.*DASHBOARD_GATEWAY_METER_CHANNELS_PER_TENANT/s,
    );
  });

  it('names every invalid variable in one sentence each', () => {
    let error: ConfigError | undefined;
    try {
      loadGatewayConfig(
        {
          DASHBOARD_GATEWAY_PORT: '70000',
          DASHBOARD_PUBLIC_URL: 'nope',
          DASHBOARD_TOKEN_SECRET: 'short',
          KAFKA_BROKERS: 'x',
        },
        dataDir,
      );
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.issues.map((i) => i.split(':')[0])).toEqual([
      'DASHBOARD_GATEWAY_PORT',
      'KAFKA_BROKERS.0',
      'DASHBOARD_PUBLIC_URL',
      'DASHBOARD_TOKEN_SECRET',
    ]);
  });
});
