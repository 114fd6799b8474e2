// What `npm start` writes: for a person on a terminal (a TTY, or LOG_FORMAT=pretty), one compact line per log
// record — time, service, level, message and the fields that matter, coloured by level by pino-pretty; otherwise
// (LOG_FORMAT=json, or not a TTY) each service's JSON lines as they are, prefixed with its name.
import { createRequire } from 'node:module';

/** `pretty` or `json`: LOG_FORMAT when set, else pretty on a TTY. */
export function logFormat(env = process.env, isTTY = Boolean(process.stdout.isTTY)) {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  if (env.LOG_FORMAT) throw new Error(`LOG_FORMAT must be "json" or "pretty"; got "${env.LOG_FORMAT}"`);
  return isTTY ? 'pretty' : 'json';
}

/** Fields every record has, or that the line already says (message, context, the request summary). */
const IGNORED = 'time,pid,hostname,context,req,res,responseTime,reqId';

/** Nest's own start-up lines (modules loaded, routes mapped): the app's "listening on" line says it is up. */
const FRAMEWORK_START = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/** `GET /v1/events 503 12 ms` for a pino-http record. */
function requestSummary(log) {
  if (!log.req || !log.res) return '';
  return `${log.req.method} ${log.req.url} ${log.res.statusCode}${log.responseTime === undefined ? '' : ` ${log.responseTime} ms`} `;
}

function clock(ms) {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * The terminal: `format(name, line)` (what a service's line looks like, also in crash-loop reports; null: not shown),
 * `print(text, stderr)` and `say(message)` for npm start's own lines. Pretty needs the dependencies (pino-pretty).
 */
export function createTerminal({ format = logFormat(), out = process.stdout, err = process.stderr } = {}) {
  let pretty;
  if (format === 'pretty') {
    const { prettyFactory } = createRequire(import.meta.url)('pino-pretty');
    pretty = prettyFactory({
      colorize: Boolean(out.isTTY) || process.env.FORCE_COLOR !== undefined,
      singleLine: true,
      ignore: IGNORED,
      messageFormat: (log, key) => `${log.context ? `${log.context}: ` : ''}${requestSummary(log)}${log[key] ?? ''}`,
    });
  }
  const width = 13;
  const formatLine = (name, line) => {
    if (!pretty) return `${name.padEnd(width)}| ${line}`;
    let log;
    try {
      log = JSON.parse(line);
    } catch {
      log = undefined;
    }
    if (!log || typeof log !== 'object' || log.level === undefined)
      return `${' '.repeat(8)} ${name.padEnd(width)} ${line}`;
    if (log.level <= 30 && FRAMEWORK_START.has(log.context)) return null;
    return `${clock(log.time ?? Date.now())} ${name.padEnd(width)} ${pretty(log).trimEnd()}`;
  };
  return {
    format: formatLine,
    print: (text, stderr) => (stderr ? err : out).write(`${text}\n`),
    say: (message) => out.write(`[switchboard] ${message}\n`),
  };
}
