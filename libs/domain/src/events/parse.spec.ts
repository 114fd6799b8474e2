import { parseEvent, type TimeWindow } from './parse';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const window: TimeWindow = { now: NOW, maxPastMs: 7 * 86_400_000, maxFutureMs: 5 * 60_000 };

function ok(input: unknown) {
  const r = parseEvent(input, window);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.event;
}
function err(input: unknown): string {
  const r = parseEvent(input, window);
  if (r.ok) throw new Error('expected an error');
  return r.error;
}

describe('parseEvent', () => {
  it('accepts each event type and normalises ts to epoch ms', () => {
    expect(ok({ type: 'call.started', ts: NOW, callId: 'c1', queue: 'sales' })).toEqual({
      type: 'call.started',
      ts: NOW,
      callId: 'c1',
      queue: 'sales',
    });
    expect(ok({ type: 'call.answered', ts: '2025-06-01T11:59:00Z', callId: 'c1', agentId: 'a1' }).ts).toBe(
      NOW - 60_000,
    );
    expect(ok({ type: 'call.ended', ts: '2025-06-01T13:59:00.250+02:00', callId: 'c1', id: 'pbx:1' })).toEqual({
      type: 'call.ended',
      ts: NOW - 60_000 + 250,
      callId: 'c1',
      id: 'pbx:1',
    });
    expect(ok({ type: 'agent.status', ts: NOW, agentId: 'a1', status: 'wrap_up' }).type).toBe('agent.status');
    expect(ok({ type: 'meter.reading', ts: NOW, meterId: 'm-1', energyWh: 1234.567, powerW: -12.5 })).toEqual({
      type: 'meter.reading',
      ts: NOW,
      meterId: 'm-1',
      energyWh: 1234.567,
      powerW: -12.5,
    });
  });

  it('drops unknown fields', () => {
    expect(ok({ type: 'call.ended', ts: NOW, callId: 'c1', tenant: 'other', extra: { a: 1 } })).toEqual({
      type: 'call.ended',
      ts: NOW,
      callId: 'c1',
    });
  });

  it('names an unknown or missing type', () => {
    expect(err({ type: 'call.transferred', ts: NOW })).toMatch(
      /unknown type "call.transferred"; expected one of call.started/,
    );
    expect(err({ ts: NOW })).toMatch(/type is required/);
    expect(err({ type: 7 })).toMatch(/unknown type number/);
    expect(err({ type: 'toString' })).toMatch(/unknown type "toString"/);
  });

  it('refuses non-objects', () => {
    for (const v of [null, 1, 'x', [], true]) expect(err(v)).toBe('event must be a JSON object');
  });

  it('names missing and malformed fields', () => {
    expect(err({ type: 'call.started', ts: NOW, callId: 'c1' })).toBe('queue is required');
    expect(err({ type: 'call.started', ts: NOW, callId: 'a/b', queue: 'q' })).toMatch(
      /^callId must be 1–64 characters/,
    );
    expect(err({ type: 'call.started', ts: NOW, callId: 'x'.repeat(65), queue: 'q' })).toMatch(/^callId must be/);
    expect(err({ type: 'agent.status', ts: NOW, agentId: 'a', status: 'asleep' })).toMatch(
      /^status must be one of available/,
    );
    expect(err({ type: 'call.ended', ts: NOW, callId: 'c', id: '' })).toMatch(/^id must be 1–128/);
  });

  it('checks energyWh: ≥ 0, at most 3 decimals, float noise tolerated', () => {
    expect(err({ type: 'meter.reading', ts: NOW, meterId: 'm', energyWh: -1 })).toMatch(/energyWh must be ≥ 0/);
    expect(err({ type: 'meter.reading', ts: NOW, meterId: 'm', energyWh: 1.2345 })).toMatch(/at most 3 decimals/);
    expect(err({ type: 'meter.reading', ts: NOW, meterId: 'm', energyWh: '12' })).toMatch(/energyWh must be a number/);
    expect(ok({ type: 'meter.reading', ts: NOW, meterId: 'm', energyWh: 0.1 + 0.2 })).toMatchObject({ energyWh: 0.3 });
  });

  it('accepts ts only within [now − 7 days, now + 5 minutes]', () => {
    const base = { type: 'call.ended', callId: 'c' };
    expect(ok({ ...base, ts: NOW - 7 * 86_400_000 }).ts).toBe(NOW - 7 * 86_400_000);
    expect(ok({ ...base, ts: NOW + 300_000 }).ts).toBe(NOW + 300_000);
    expect(err({ ...base, ts: NOW - 7 * 86_400_000 - 1 })).toBe(
      'ts is more than 7 day(s) in the past: beyond the horizon within which events are counted (late events restate their windows up to it)',
    );
    expect(err({ ...base, ts: NOW + 300_001 })).toBe('ts is more than 5 minute(s) in the future');
    // Without a window (a consumer replaying history) any valid instant passes.
    expect(parseEvent({ ...base, ts: 0 }).ok).toBe(true);
  });

  it('refuses malformed timestamps', () => {
    const base = { type: 'call.ended', callId: 'c' };
    for (const ts of [
      1.5,
      -1,
      Number.MAX_SAFE_INTEGER,
      '2025-02-30T00:00:00Z',
      '2025-06-01',
      '1717243200000',
      'now',
      null,
    ]) {
      expect(parseEvent({ ...base, ts }).ok).toBe(false);
    }
    expect(err({ ...base })).toBe('ts is required');
  });
});
