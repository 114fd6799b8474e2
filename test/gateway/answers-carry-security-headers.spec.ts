import { startIngest } from '../ingest/support/ingest-app';
import { RecordingPublisher } from '../ingest/support/recording-publisher';
import { newTenant, type RunningGateway, startGateway } from './support/gateway-app';

// Every answer of ingest and the gateway — JSON, CSV, errors, health, docs, pages — carries the usual security
// headers and says nothing of the framework (no X-Powered-By). API answers allow no content at all; a page keeps its
// own policy (its scripts and the chart library from its own origin); /docs keeps what Swagger UI needs.
const COMMON = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
};

function headersOf(res: Response): Record<string, string | null> {
  return {
    'x-powered-by': res.headers.get('x-powered-by'),
    'x-content-type-options': res.headers.get('x-content-type-options'),
    'x-frame-options': res.headers.get('x-frame-options'),
    'referrer-policy': res.headers.get('referrer-policy'),
  };
}

describe('security headers', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway();
  });
  afterAll(() => gw.close());

  it('on the gateway: API answers allow nothing, pages keep their own policy, /docs works', async () => {
    const tenant = await newTenant(gw.pool);
    const analyst = gw.token(tenant, 'analyst');
    const api = [
      await gw.get('/v1/billing/energy.csv?from=2026-03-01T00:00:00Z&to=2026-03-02T00:00:00Z&interval=1d', analyst),
      await gw.get('/v1/queues/sales/stats?from=2026-03-01T00:00:00Z&to=2026-03-01T01:00:00Z', analyst),
      await gw.get('/v1/queues/sales/stats'), // 401
      await gw.get('/health/ready'),
      await gw.get('/metrics'),
    ];
    for (const res of api) {
      expect({ url: res.url, ...headersOf(res) }).toEqual({ url: res.url, 'x-powered-by': null, ...COMMON });
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    }
    const page = await gw.get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('x-powered-by')).toBeNull();
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const docs = await gw.get('/docs');
    expect(docs.status).toBe(200);
    expect({ ...headersOf(docs), csp: docs.headers.get('content-security-policy') }).toEqual({
      'x-powered-by': null,
      ...COMMON,
      csp: null,
    });
  });

  it('on ingest: accepted, refused and health answers', async () => {
    const ingest = await startIngest(new RecordingPublisher());
    try {
      const { key } = await ingest.newTenant();
      for (const res of [
        await ingest.post('/v1/events', key, '[]'),
        await ingest.post('/v1/events', undefined, '[]'),
        await ingest.post('/v1/events', key, '{not json'),
        await fetch(`${ingest.url}/health/ready`),
      ]) {
        expect({ status: res.status, ...headersOf(res) }).toEqual({
          status: res.status,
          'x-powered-by': null,
          ...COMMON,
        });
        expect(res.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      }
    } finally {
      await ingest.close();
    }
  });
});
