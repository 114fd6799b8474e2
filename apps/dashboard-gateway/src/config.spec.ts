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
