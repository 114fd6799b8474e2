import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTime } from 'pino-http';
import { requestLogLevel, SLOW_REQUEST_MS } from './request-log-level';

const req = {} as IncomingMessage;
function res(statusCode: number, startedAt?: number): ServerResponse {
  return { statusCode, ...(startedAt === undefined ? {} : { [startTime]: startedAt }) } as unknown as ServerResponse;
}

describe('the log level of a request line', () => {
  it('puts a quick success at debug, a slow one at info', () => {
    expect(requestLogLevel(req, res(202, 1000), undefined, 1000 + 12)).toBe('debug');
    expect(requestLogLevel(req, res(200, 1000), undefined, 1000 + SLOW_REQUEST_MS)).toBe('info');
  });

  it('keeps refusals at warn and failures at error', () => {
    expect(requestLogLevel(req, res(401, 1000), undefined, 1001)).toBe('warn');
    expect(requestLogLevel(req, res(429, 1000), undefined, 1001)).toBe('warn');
    expect(requestLogLevel(req, res(503, 1000), undefined, 1001)).toBe('error');
    expect(requestLogLevel(req, res(200, 1000), new Error('socket hang up'), 1001)).toBe('error');
  });
});
