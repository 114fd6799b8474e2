import { Pipeline } from './pipeline';
import { rec } from './spec-helpers';

describe('filter and map', () => {
  it('run in order on a batch, keep key, time and partition, and leave the input untouched', () => {
    const input = [
      rec('m1', 1, { wh: 5, ok: true }, 1),
      rec('m2', 2, { wh: 7, ok: false }, 0),
      rec('m3', 3, { wh: 9, ok: true }),
    ];
    const pipe = Pipeline.of<{ wh: number; ok: boolean }>()
      .filter((v) => v.ok)
      .map((v) => v.wh * 1000)
      .filter((mwh, r) => mwh > 5000 || r.key === 'm1');
    const out = pipe.apply(input);
    expect(out.map((r) => [r.key, r.value, r.timestamp, r.partition])).toEqual([
      ['m1', 5000, 1, 1],
      ['m3', 9000, 3, 0],
    ]);
    expect(input[0].value).toEqual({ wh: 5, ok: true });
    expect(Pipeline.of().isEmpty).toBe(true);
  });
});
