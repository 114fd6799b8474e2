import type { HttpRequest, HttpResponse } from '../http/http-types';
import type { IngestMetrics } from './ingest-metrics';

/** Counts and times every request by its route pattern (not its raw path, which would explode label cardinality). */
export function requestMetrics(metrics: IngestMetrics) {
  return (req: HttpRequest, res: HttpResponse, next: () => void): void => {
    const stop = metrics.requestSeconds.startTimer();
    res.on('finish', () => {
      const route = req.route?.path ?? 'unmatched';
      stop({ route });
      metrics.requests.inc({ route, status: String(res.statusCode) });
    });
    next();
  };
}
