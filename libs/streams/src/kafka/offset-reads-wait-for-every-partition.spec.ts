import { everyPartitionAnswered, offsetReadOfMovingLeaders } from './topic-admin';

const offsets = (...partitions: number[]) => partitions.map((partition) => ({ partition, offset: '7' }));

describe('offset reads wait until every partition answered', () => {
  it('returns the offsets once each partition of the topic is in them', () => {
    expect(everyPartitionAnswered('calls', 3, offsets(2, 0, 1))).toEqual(offsets(2, 0, 1));
  });

  it('refuses a partial answer, or none, as retriable: a missing partition is not an empty one', () => {
    for (const [expected, answer] of [
      [3, offsets(0, 2)],
      [3, []],
      [0, []],
      [2, offsets(1, 1)],
    ] as const) {
      let thrown: unknown;
      try {
        everyPartitionAnswered('calls', expected, [...answer]);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toMatchObject({ retriable: true, context: { topic: 'calls', expected } });
    }
  });

  it("takes kafkajs's TypeError of a read no leader answered for leaders moving, and no other error", () => {
    // What kafkajs's fetchTopicOffsets throws when one of its two reads came back empty.
    const kafkajs = new TypeError("Cannot destructure property 'partitions' of 'low.pop(...)' as it is undefined.");
    expect(offsetReadOfMovingLeaders('calls', kafkajs)).toMatchObject({ retriable: true, cause: kafkajs });
    expect(offsetReadOfMovingLeaders('calls', new TypeError('x is not a function'))).toBeUndefined();
    expect(offsetReadOfMovingLeaders('calls', new Error('Cannot destructure property'))).toBeUndefined();
    expect(offsetReadOfMovingLeaders('calls', undefined)).toBeUndefined();
  });
});
