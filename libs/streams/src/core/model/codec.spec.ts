import { StreamsDecodeError } from '../errors';
import { CODEC_HEADER, decode, encode, MODEL_HEADER } from './codec';
import { StreamEndType } from './stream-end-type';
import { TimeseriesData } from './timeseries-data';

// Golden bytes: the wire format is a public contract (libs/streams/README.md). A change here breaks
// every producer and consumer written in other languages, so these strings change only with a new codec.
describe('wire format json/1', () => {
  const headers = (model: string) => ({ [MODEL_HEADER]: model, [CODEC_HEADER]: 'json/1' });

  it('packs timeseries column-wise, padding missing values with null', () => {
    const data = new TimeseriesData();
    const r0 = data.addRow(1700000000000);
    data.setNumeric(r0, 'energyWh', 1234.567);
    data.setTag(r0, 'phase', 'L1');
    const r1 = data.addRow(1700000001000);
    data.setNumeric(r1, 'energyWh', 1235);
    data.setNumeric(r1, 'powerW', 812.5);
    data.setString(r1, 'state', 'ok');
    const wire = encode('meter-42', { kind: 'timeseries', data });
    expect(wire.key).toBe('meter-42');
    expect(wire.headers).toEqual(headers('timeseries'));
    expect(wire.value.toString('utf8')).toBe(
      '{"timestamps":[1700000000000,1700000001000],"numericValues":{"energyWh":[1234.567,1235],"powerW":[null,812.5]},' +
        '"stringValues":{"state":[null,"ok"]},"tagValues":{"phase":["L1",null]}}',
    );
    const back = decode(wire.key, wire.headers, wire.value);
    expect(back.message.kind).toBe('timeseries');
    const rows = [...(back.message as { data: TimeseriesData }).data.rows()].map((r) => [
      r.timestamp,
      r.values(),
      r.tags(),
    ]);
    expect(rows).toEqual([
      [1700000000000, { energyWh: 1234.567 }, { phase: 'L1' }],
      [1700000001000, { energyWh: 1235, powerW: 812.5, state: 'ok' }, {}],
    ]);
  });

  it('encodes events, properties and stream end', () => {
    const ev = encode('call-1', {
      kind: 'event',
      events: [{ timestamp: 5, id: 'call.started', value: '{"queue":"sales"}', tags: { q: 'sales' } }],
    });
    expect(ev.value.toString()).toBe(
      '[{"timestamp":5,"id":"call.started","value":"{\\"queue\\":\\"sales\\"}","tags":{"q":"sales"}}]',
    );
    const props = encode('m', {
      kind: 'properties',
      properties: {
        name: 'Meter 42',
        location: '/acme/london/site-3',
        metadata: { site: 'site-3' },
        parents: ['site-3'],
        timeOfRecording: null,
      },
    });
    expect(props.value.toString()).toBe(
      '{"name":"Meter 42","location":"/acme/london/site-3","metadata":{"site":"site-3"},"parents":["site-3"],"timeOfRecording":null}',
    );
    const end = encode('m', { kind: 'stream-end', endType: StreamEndType.Aborted });
    expect(end.headers[MODEL_HEADER]).toBe('stream-end');
    expect(end.value.toString()).toBe('{"endType":"Aborted"}');
    for (const w of [ev, props, end])
      expect(encode(w.key, decode(w.key, w.headers, w.value).message).value.equals(w.value)).toBe(true);
  });

  it.each([
    ['no key', null, headers('event'), '[]', /no key/],
    ['another codec', 'k', { [MODEL_HEADER]: 'event', [CODEC_HEADER]: 'avro/3' }, '[]', /unsupported codec "avro\/3"/],
    ['no codec header', 'k', { [MODEL_HEADER]: 'event' }, '[]', /unsupported codec "\(missing\)"/],
    ['unknown model', 'k', headers('video'), '{}', /unknown model "video"/],
    ['bad JSON', 'k', headers('event'), '{oops', /not JSON/],
    [
      'ragged column',
      'k',
      headers('timeseries'),
      '{"timestamps":[1,2],"numericValues":{"a":[1]}}',
      /numericValues\.a must be an array of 2/,
    ],
    [
      'string in numeric column',
      'k',
      headers('timeseries'),
      '{"timestamps":[1],"numericValues":{"a":["x"]}}',
      /not a number/,
    ],
    ['bad end type', 'k', headers('stream-end'), '{"endType":"Exploded"}', /unknown stream end type/],
    ['event without id', 'k', headers('event'), '[{"timestamp":1,"value":"v"}]', /event 0 needs/],
  ])('rejects %s with a StreamsDecodeError', (_name, key, hdrs, value, reason) => {
    expect(() => decode(key, hdrs, Buffer.from(value))).toThrow(StreamsDecodeError);
    expect(() => decode(key, hdrs, Buffer.from(value))).toThrow(reason);
  });
});
