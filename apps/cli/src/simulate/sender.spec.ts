import { IngestSender, SendError } from './sender';

const event = { type: 'call.ended' as const, ts: 1, id: 'x', callId: 'c' };

function fakeFetch(responses: (Response | Error)[]) {
  const calls: RequestInit[] = [];
  const f = (async (_url: string, init: RequestInit) => {
    calls.push(init);
    const next = responses.shift();
    if (next instanceof Error) throw next;
    return next as Response;
  }) as unknown as typeof fetch;
  return { f, calls };
}

describe('IngestSender', () => {
  it('retries 503 (honouring Retry-After), 429 and network errors, then counts the result', async () => {
    const waits: number[] = [];
    const { f, calls } = fakeFetch([
      new Response('{}', { status: 503, headers: { 'retry-after': '2' } }),
      new Error('ECONNRESET'),
      new Response('{}', { status: 429 }),
      Response.json({ accepted: 1, rejected: [{ index: 1, error: 'bad' }] }, { status: 202 }),
    ]);
    const sender = new IngestSender({
      url: 'http://x',
      key: 'k',
      retries: 5,
      backoffMs: 100,
      fetch: f,
      sleep: async (ms) => void waits.push(ms),
    });
    await sender.sendEvents([event, event]);
    expect(waits).toEqual([2000, 200, 400]);
    expect(calls).toHaveLength(4);
    expect(calls[0].headers).toMatchObject({ authorization: 'Bearer k', 'content-type': 'application/x-ndjson' });
    expect(sender.stats).toMatchObject({
      sent: 2,
      accepted: 1,
      rejected: 1,
      retried: 3,
      rejections: ['call.ended: bad'],
    });
  });

  it('does not retry what cannot succeed (401, 413) and gives up after its attempts', async () => {
    const noWait = async () => {};
    const { f } = fakeFetch([new Response('{"error":"unauthorized"}', { status: 401 })]);
    await expect(
      new IngestSender({ url: 'http://x', key: 'k', retries: 5, fetch: f, sleep: noWait }).sendEvents([event]),
    ).rejects.toThrow(/answered 401/);
    const down = fakeFetch([new Error('refused'), new Error('refused')]);
    const err = await new IngestSender({ url: 'http://x', key: 'k', retries: 2, fetch: down.f, sleep: noWait })
      .sendEvents([event])
      .catch((e) => e);
    expect(err).toBeInstanceOf(SendError);
    expect(err.message).toMatch(/gave up after 2 attempts/);
  });
});
