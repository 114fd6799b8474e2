import { latestPerKey } from './kafka-streams-run';

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
});
