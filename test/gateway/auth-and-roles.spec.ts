import { createDashboardToken } from '@switchboard/domain';
import { ENDPOINTS, json, newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// Every data endpoint refuses a request without a valid token (401) or with the wrong role (403), as JSON, and
// never repeats the token in its answer.
describe('gateway authentication and roles', () => {
  let gw: RunningGateway;
  let tenant: string;

  beforeAll(async () => {
    gw = await startGateway();
    tenant = await newTenant(gw.pool);
  });
  afterAll(() => gw.close());

  describe.each(ENDPOINTS)('$path', ({ path }) => {
    it('answers 401 unauthorized without an Authorization header', async () => {
      const res = await gw.get(path);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(await json(res)).toEqual({ error: 'unauthorized', message: expect.stringContaining('Authorization') });
    });

    it.each([
      ['not Bearer', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['garbage', { authorization: 'Bearer not-a-token' }],
      ['truncated', { authorization: 'Bearer sbt_eyJ2IjoxfQ' }],
      [
        'signed elsewhere',
        {
          authorization: `Bearer ${createDashboardToken('y'.repeat(48), { tenant: 'x', role: 'analyst', ttlSeconds: 60 })}`,
        },
      ],
      ['huge', { authorization: `Bearer sbt_${'a'.repeat(3000)}.b` }],
    ])('answers 401 unauthorized for a %s token and does not echo it', async (_, headers) => {
      const res = await gw.get(path, undefined, headers);
      expect(res.status).toBe(401);
      const body = await json(res);
      expect(body.error).toBe('unauthorized');
      const sent = headers.authorization.split(' ')[1];
      expect(JSON.stringify(body)).not.toContain(sent.slice(0, 20));
    });

    it('answers 401 expired for a token past its lifetime', async () => {
      const token = gw.token(tenant, 'analyst', { ttlSeconds: 60, now: Date.now() - 120_000 });
      const res = await gw.get(path, token);
      expect(res.status).toBe(401);
      expect(await json(res)).toEqual({ error: 'expired', message: expect.stringContaining('expired') });
    });

    it('answers 403 forbidden to an operator token', async () => {
      const res = await gw.get(path, gw.token(tenant, 'operator'));
      expect(res.status).toBe(403);
      expect(await json(res)).toEqual({
        error: 'forbidden',
        message: expect.stringMatching(/needs the role .+; the token's role is operator/),
      });
    });
  });

  it('lets analysts read energy, the CSV and queue statistics; supervisors only queue statistics', async () => {
    const [energy, csv, queues] = ENDPOINTS.map((e) => e.path);
    const analyst = gw.token(tenant, 'analyst');
    const supervisor = gw.token(tenant, 'supervisor');
    const statuses = async (token: string) =>
      Promise.all([energy, csv, queues].map(async (p) => (await gw.get(p, token)).status));
    expect(await statuses(analyst)).toEqual([200, 200, 200]);
    expect(await statuses(supervisor)).toEqual([403, 403, 200]);
  });
});
