import { DASHBOARD_ROLES, type DashboardRole } from '@switchboard/domain';
import { CHANNEL_ROLES, ENDPOINT_ROLES } from '../auth/roles';
import { isLiveError, parseChannel, parseClientMessage } from './protocol';

describe('client messages', () => {
  it('accepts subscribe with or without resume, and unsubscribe', () => {
    expect(parseClientMessage('subscribe', [{ channel: 'queues' }])).toEqual({
      type: 'subscribe',
      message: { channel: 'queues' },
    });
    const resume = { channel: 'meter:m-1', resume: { epoch: 'x.1', seq: 4 } };
    expect(parseClientMessage('subscribe', [resume, () => undefined])).toEqual({ type: 'subscribe', message: resume });
    expect(parseClientMessage('unsubscribe', [{ channel: 'alerts' }])).toEqual({
      type: 'unsubscribe',
      message: { channel: 'alerts' },
    });
  });

  it.each([
    ['unknown event', 'hello', [{}], 'unknown_event'],
    ['no payload', 'subscribe', [], 'bad_message'],
    ['two payloads', 'subscribe', [{ channel: 'queues' }, 1], 'bad_message'],
    ['a string', 'subscribe', ['queues'], 'bad_message'],
    ['extra fields', 'subscribe', [{ channel: 'queues', tenant: 'other' }], 'bad_message'],
    ['negative seq', 'subscribe', [{ channel: 'queues', resume: { epoch: 'e', seq: -1 } }], 'bad_message'],
    ['over 4 KB', 'subscribe', [{ channel: 'queues', pad: 'x'.repeat(5000) }], 'too_large'],
  ])('refuses %s with a code', (_what, event, args, code) => {
    const parsed = parseClientMessage(event as string, args as unknown[]);
    expect(isLiveError(parsed) && parsed.code).toBe(code);
  });

  it('knows the channels and who may read them', () => {
    const as = (role: DashboardRole, tenant = 'acme') => ({ role, tenant });
    expect(parseChannel('queues', as('analyst'))).toEqual({ kind: 'queues' });
    expect(parseChannel('meter:site-1.m:2', as('analyst'))).toEqual({ kind: 'meter', meterId: 'site-1.m:2' });
    expect(parseChannel('services', as('operator'))).toEqual({ kind: 'services' });
    expect(parseChannel('services', as('supervisor'))).toMatchObject({ code: 'forbidden' });
    expect(parseChannel('meter:a/b', as('supervisor'))).toMatchObject({ code: 'unknown_channel' });
    expect(parseChannel('acme|queues', as('supervisor'))).toMatchObject({ code: 'unknown_channel' });
  });

  it.each([
    // channel, the roles that may read it — as the REST reads of the same data (ENDPOINT_ROLES)
    ['queues', ['supervisor', 'analyst']],
    ['alerts', ['supervisor', 'analyst']],
    ['energy', ['analyst']],
    ['meter:m-1', ['analyst']],
    ['services', ['operator']],
    ['lag', ['operator']],
  ] as const)('lets only %s readers of its data subscribe: %j', (channel, allowed) => {
    for (const role of DASHBOARD_ROLES) {
      const parsed = parseChannel(channel, { role, tenant: 'acme' });
      expect({ role, code: isLiveError(parsed) ? parsed.code : 'ok' }).toEqual({
        role,
        code: (allowed as readonly string[]).includes(role) ? 'ok' : 'forbidden',
      });
    }
  });

  it('holds the channels to the same roles as the REST reads of the same data', () => {
    expect(CHANNEL_ROLES.queues).toEqual(ENDPOINT_ROLES.queueStats);
    expect(CHANNEL_ROLES.meter).toEqual(ENDPOINT_ROLES.meterEnergy);
    expect(CHANNEL_ROLES.energy).toEqual(ENDPOINT_ROLES.meterEnergy);
  });

  it('keeps the operational channels (services, lag) to operators, of the operator tenant when one is set', () => {
    const operator = { role: 'operator', tenant: 'ops' } as const;
    expect(parseChannel('lag', operator)).toEqual({ kind: 'lag' });
    expect(parseChannel('lag', { role: 'supervisor', tenant: 'ops' })).toMatchObject({
      code: 'forbidden',
      message: "the lag channel is for the role operator; the token's role is supervisor",
      channel: 'lag',
    });
    const pinned = { operatorTenant: 'ops', lagEnabled: true };
    expect(parseChannel('lag', operator, pinned)).toEqual({ kind: 'lag' });
    expect(parseChannel('services', operator, pinned)).toEqual({ kind: 'services' });
    for (const name of ['lag', 'services']) {
      expect(parseChannel(name, { role: 'operator', tenant: 'acme' }, pinned)).toMatchObject({
        code: 'forbidden',
        message: `the ${name} channel is for operator tokens of the operator tenant, not of tenant acme`,
      });
    }
    expect(parseChannel('lag', operator, { lagEnabled: false })).toMatchObject({ code: 'unavailable' });
  });
});
