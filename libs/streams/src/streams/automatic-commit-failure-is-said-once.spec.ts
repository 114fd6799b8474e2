import { StreamingClient } from '../client';
import { MemoryLog, memoryPort } from '../port/memory-port.spec-support';
import { AutoOffsetReset, CommitMode } from './consumer-options';

// An automatic commit that fails used to vanish (`.catch(() => undefined)`): the offsets stayed uncommitted and
// nobody knew that a restart would read those messages again. Now it is a warning, once per kind of failure in a
// run of failures (the same failure on every timer tick is not a flood).
describe('automatic commits that fail', () => {
  it('are said once per kind while they fail, then once when they succeed again; processing goes on', async () => {
    const lines: { level: string; message: string }[] = [];
    const logger = {
      debug: () => undefined,
      info: (message: string) => lines.push({ level: 'info', message }),
      warn: (message: string) => lines.push({ level: 'warn', message }),
      error: (message: string) => lines.push({ level: 'error', message }),
    };
    const log = new MemoryLog();
    let refuse: string | undefined = 'The coordinator is not available';
    const commits: string[] = [];
    const client = new StreamingClient({
      brokers: ['memory:0'],
      clientId: 'memory',
      logger,
      kafka: () =>
        memoryPort(log, {
          commit: async (offsets) => {
            if (refuse) throw new Error(refuse);
            commits.push(offsets ? 'given' : 'finished');
            return offsets ?? [];
          },
        }),
    });
    const producer = await client.getTopicProducer('meters');
    const meter = producer.getOrCreateStream('meter-1');
    for (let i = 1; i <= 4; i++) {
      meter.timeseries.buffer
        .addTimestamp(i * 1000)
        .addValue('energyWh', i)
        .publish();
      await meter.flush();
    }
    const seen: number[] = [];
    const consumer = await client.getTopicConsumer('meters', {
      consumerGroup: 'g',
      autoOffsetReset: AutoOffsetReset.Earliest,
      commit: { mode: CommitMode.Automatic, everyMessages: 1, everyMs: 50 },
    });
    consumer.onStreamReceived((s) =>
      s.timeseries.onDataReceived((d) => {
        for (const row of d.rows()) seen.push(row.numeric('energyWh') ?? Number.NaN);
      }),
    );
    await consumer.subscribe(); // the whole log in one batch, a commit after it
    expect(seen).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setTimeout(r, 400)); // the timer's commits fail too, several times

    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].message).toMatch(
      /^automatic commit of "meters" failed after 1 messages: The coordinator is not available; the offsets stay uncommitted/,
    );

    // another kind of failure is said once too, however often it repeats (numbers in it aside)
    let n = 0;
    refuse = 'Request timed out after 30000 ms';
    const flip = setInterval(() => {
      refuse = `Request timed out after ${30000 + ++n} ms`;
    }, 20);
    await new Promise((r) => setTimeout(r, 300));
    clearInterval(flip);
    // Which of the numbered messages comes first depends on the timers' order on a busy machine: the kind is judged.
    expect(
      lines.filter((l) => l.level === 'warn').map((l) => l.message.replace(/;.*/, '').replace(/\d+ ms/, 'N ms')),
    ).toEqual([
      'automatic commit of "meters" failed after 1 messages: The coordinator is not available',
      'automatic commit of "meters" failed on its timer: Request timed out after N ms',
    ]);

    refuse = undefined;
    const deadline = Date.now() + 5000;
    while (commits.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(commits[0]).toBe('finished'); // what the handlers finished, as the member knows it
    expect(lines.filter((l) => l.message.includes('succeed again'))).toHaveLength(1);
    await client.close();
  });
});
