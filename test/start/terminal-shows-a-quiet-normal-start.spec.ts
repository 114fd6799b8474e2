import { NpmStart } from '../support/npm-start';
import { eventually } from '../support/wait';

// A normal `npm start` on a terminal (a pseudo-terminal from util-linux `script`), the simulator sending a light
// load: one compact coloured line per record, no error or warning line, no line per request; Ctrl-C stops it.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

describe('npm start on a terminal', () => {
  const start = new NpmStart({ args: ['--rate', '0.2'], tty: true });

  afterAll(() => start.kill());

  it('shows a normal start without error, warning or per-request lines', async () => {
    await start.start();
    const plain = () => start.output.map((l) => l.replace(ANSI, ''));
    await eventually(
      () => expect(plain().some((l) => l.startsWith('[switchboard] services panel'))).toBe(true),
      180_000,
      500,
    ).catch((err) => {
      console.log(`npm start output:\n${start.tail()}`);
      throw err;
    });
    // The simulator's requests reach ingest meanwhile.
    const ingestRequests = async () => {
      const metrics = await (await fetch(`http://127.0.0.1:${start.ports.ingest}/metrics`)).text();
      return metrics
        .split('\n')
        .filter((l) => l.startsWith('ingest_http_requests_total') && l.includes('route="/v1/events"'))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    };
    await eventually(async () => expect(await ingestRequests()).toBeGreaterThanOrEqual(5), 60_000, 1000);
    await new Promise((r) => setTimeout(r, 5000)); // a few seconds more of steady running

    expect(await start.interrupt()).toEqual({ code: 0, signal: null });
    expect(start.leftovers()).toEqual([]);

    const lines = plain();
    // Pretty: a record is `hh:mm:ss <service> LEVEL: …`, coloured.
    expect(lines.some((l) => /^\d\d:\d\d:\d\d ingest +INFO: Ingest: ingest listening on /.test(l))).toBe(true);
    expect(start.output.some((l) => ANSI.test(l))).toBe(true);
    expect(lines.filter((l) => l.startsWith('{'))).toEqual([]);
    // Nothing that reads as trouble: no error or warning record, no crash, no failure.
    expect(lines.filter((l) => /\b(ERROR|WARN|FATAL)\b|exited \(|crash|failed|not published/i.test(l))).toEqual([]);
    // No line per request.
    expect(lines.filter((l) => /request completed|\b(GET|POST|PUT) \/\S* \d{3}\b/.test(l))).toEqual([]);
  }, 300_000);
});
