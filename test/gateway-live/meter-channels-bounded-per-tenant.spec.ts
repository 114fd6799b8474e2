import { Registry } from 'prom-client';
import { registerLiveMetrics } from '../../apps/dashboard-gateway/src/live/live-metrics';
import { eventually } from '../support/wait';
import { liveSuite, token } from './live-harness';

// Meter channels are bounded per tenant, not shared by all: tenant A filling its meter channels is refused with
// {code, message, channel}, while tenant B still subscribes; the figures are on /metrics.
describe('live meter channels bounded per tenant', () => {
  const suite = liveSuite({ maxMeterChannelsPerTenant: 2 });

  it('refuses tenant A beyond its limit, and tenant B still subscribes', async () => {
    const a = suite.tenant('ta');
    const b = suite.tenant('tb');
    const analystA = suite.probe({ token: token(a, 'analyst') });
    const analystB = suite.probe({ token: token(b, 'analyst') });
    await Promise.all([analystA.connected(), analystB.connected()]);
    analystA.subscribe('meter:m1');
    analystA.subscribe('meter:m2');
    await eventually(() => expect(analystA.frames).toHaveLength(2));
    analystA.subscribe('meter:m3');
    await eventually(() =>
      expect(analystA.errors).toEqual([
        {
          code: 'too_many_channels',
          channel: 'meter:m3',
          message: `tenant ${a} has 2 meter and energy channels in use on this gateway, none idle; unsubscribe some (an idle one is let go after 60 s)`,
        },
      ]),
    );

    analystB.subscribe('meter:m1');
    analystB.subscribe('meter:m3');
    await eventually(() => expect(analystB.frames.map((f) => f.channel).sort()).toEqual(['meter:m1', 'meter:m3']));
    expect(analystB.errors).toEqual([]);

    const registry = new Registry();
    registerLiveMetrics(registry, suite.gateway.service);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/^dashboard_gateway_live_meter_channels 4$/m);
    expect(metrics).toMatch(/^dashboard_gateway_live_meter_tenants_at_limit 2$/m);
    expect(metrics).toMatch(/^dashboard_gateway_live_meter_channels_refused_total 1$/m);
  });
});
