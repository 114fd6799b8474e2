import { decodeSegment, encodeSegment, type FinalSegment } from './final-segments';

// A final segment is held as compact text (registers as differences, ts relative to the window): decoding gives
// back exactly what was encoded, resets and a missing power included.
const T = Date.UTC(2026, 10, 25, 10, 0, 0);

describe('a final segment as text', () => {
  it('round-trips exactly', () => {
    const segment: FinalSegment = {
      columns: { energyMwh: 9_007_199_254, readings: 3, maxPowerW: 4_938.5, resets: 1 },
      readings: [
        [T + 1, 9_007_199_254_740],
        [T + 60_000, 12],
        [T + 899_999, 9_007_199_254_740_991],
      ],
      version: 7,
      revision: 2,
    };
    const text = encodeSegment(T, segment);
    expect(text).toBe('7;2;9007199254;1;4938.5;1:9007199254740,60000:-9007199254728,899999:9007199254740979');
    expect(decodeSegment(T, text)).toEqual(segment);
    const noPower = { ...segment, columns: { ...segment.columns, maxPowerW: null } };
    expect(decodeSegment(T, encodeSegment(T, noPower))).toEqual(noPower);
  });
});
