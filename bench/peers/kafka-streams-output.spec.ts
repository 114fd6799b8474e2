import { latestPerKey, peerDiagnosis } from './kafka-streams-run';

describe("the Kafka Streams peer's output file", () => {
  it('gives each key its value, decoded from base64, and skips blank or keyless lines', () => {
    const long = (n: bigint) => {
      const b = Buffer.alloc(8);
      b.writeBigInt64BE(n);
      return b.toString('base64');
    };
    const text = `m-1@0\t${long(42n)}\n\n\tjunk\nm-2@60000\t${long(-7n)}\n`;
    expect(latestPerKey(text, (v) => v.readBigInt64BE())).toEqual(
      new Map([
        ['m-1@0', 42n],
        ['m-2@60000', -7n],
      ]),
    );
  });

  it('says what the peer reported of drops, rebalances and windows missing from its output, and nothing else', () => {
    expect(peerDiagnosis({ dropped: 0, rebalances: 0, forwardedWindows: 10 }, 10)).toBe('');
    expect(peerDiagnosis({}, 10)).toBe('');
    expect(peerDiagnosis({ dropped: 2, rebalances: 1, forwardedWindows: 12 }, 10)).toBe(
      '; Kafka Streams dropped 2 records; 1 rebalance(s) while running; it computed 12 windows, its committed output holds 10',
    );
  });
});
