/** The logging the library needs; apps pass theirs (pino, Nest). Default: warnings and errors to stderr. */
export interface StreamsLogger {
  debug(message: string, context?: Record<string, unknown>): void;
  info(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

const noop = () => undefined;

export const consoleWarnLogger: StreamsLogger = {
  debug: noop,
  info: noop,
  warn: (m, c) => console.warn(`[streams] ${m}`, c ?? ''),
  error: (m, c) => console.error(`[streams] ${m}`, c ?? ''),
};
