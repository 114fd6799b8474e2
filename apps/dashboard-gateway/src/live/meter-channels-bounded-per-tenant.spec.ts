import { boundedState } from './live-state.spec-support';

const meter = (meterId: string) => ({ kind: 'meter' as const, meterId });
const state = () => boundedState({ maxMeterChannelsPerTenant: 2, meterIdleMs: 60_000 });

describe('meter channels per tenant', () => {
  it("refuses a tenant beyond its limit, while another tenant's subscribe goes through", async () => {
    const { s, notices } = state();
    const held = [s.acquire('a', meter('m1')), s.acquire('a', meter('m2'))];
    await Promise.all(held.map((c) => c?.ready));
    expect(s.acquire('a', meter('m3'))).toBeNull();
    expect(s.acquire('a', { kind: 'energy' })).toBeNull(); // the energy channel counts too
    expect(s.acquire('b', meter('m1'))).not.toBeNull();
    expect(s.acquire('a', meter('m1'))).toBe(held[0]); // a channel it holds is shared, not counted again
    expect(s.bounded.meterChannelsRefused).toBe(2);
    expect(s.boundFigures()).toMatchObject({ meterChannels: 3, meterTenantsAtLimit: 1 });
    expect(notices).toEqual([
      expect.objectContaining({
        outcome: 'meter_channels_refused',
        tenant: 'a',
        message: expect.stringContaining('tenant a has 2 meter and energy channels in use on this gateway, none idle'),
      }),
    ]);
  });

  it("makes room by letting the tenant's own idle channel go, never another tenant's", async () => {
    const { s, clock } = state();
    const b = s.acquire('b', meter('m1'));
    const a1 = s.acquire('a', meter('m1'));
    const a2 = s.acquire('a', meter('m2'));
    await Promise.all([b, a1, a2].map((c) => c?.ready));
    for (const c of [b, a1]) if (c) s.release(c); // idle, both
    clock.now += 1000;
    expect(s.acquire('a', meter('m3'))).not.toBeNull();
    expect(s.channel('a', 'meter:m1')).toBeUndefined();
    expect(s.channel('b', 'meter:m1')).toBe(b);
    expect(s.boundFigures()).toMatchObject({ meterChannels: 3 });
  });
});
