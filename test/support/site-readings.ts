import type { TopicProducer } from '@switchboard/streams';

export interface SiteReadingsOptions {
  meters: number;
  sites: number;
  /** A reading of every meter every `stepMs` of event time. */
  stepMs: number;
  /** The window the expected totals are summed in. */
  windowMs: number;
  start: number;
}

/**
 * Readings of meters spread over sites (`site-<m % sites>`, value 1–7), as the groupBy specs feed them, and the
 * batch result they must give: the sum of `v` per site and window. Each step leaves before the next, as a live
 * source's would, so every input partition is in event-time order.
 */
export function siteReadings(producer: TopicProducer, o: SiteReadingsOptions) {
  const expected = new Map<string, number>();
  let t = o.start;
  return {
    expected,
    async publishUntil(end: number): Promise<void> {
      for (; t < end; t += o.stepMs) {
        for (let m = 0; m < o.meters; m++) {
          const site = `site-${m % o.sites}`;
          const v = ((t / o.stepMs + m) % 7) + 1;
          producer
            .getOrCreateStream(`meter-${m}`)
            .timeseries.buffer.addTimestamp(t)
            .addValue('site', site)
            .addValue('v', v)
            .publish();
          const id = `${site}@${t - (t % o.windowMs)}`;
          expected.set(id, (expected.get(id) ?? 0) + v);
        }
        await new Promise((r) => setImmediate(r));
      }
      await producer.flush();
    },
  };
}
