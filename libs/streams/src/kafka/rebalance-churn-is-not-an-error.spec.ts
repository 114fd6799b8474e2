import { logLevel } from 'kafkajs';
import { logLevelOf } from './connection';

describe('kafkajs log lines in the library logger', () => {
  it('keeps real errors and warnings', () => {
    expect(logLevelOf(logLevel.ERROR, 'Connection error', 'connect ECONNREFUSED 127.0.0.1:9092')).toBe('error');
    expect(logLevelOf(logLevel.WARN, 'Request timed out')).toBe('warn');
    expect(logLevelOf(logLevel.INFO, 'Consumer has joined the group')).toBe('debug');
  });

  it('demotes the group churn kafkajs handles itself, and the idempotence retry advice', () => {
    for (const error of [
      'The group is rebalancing, so a rejoin is needed',
      'Specified group generation id is not valid',
      'The coordinator is not aware of this member',
    ]) {
      expect(logLevelOf(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', error)).toBe('debug');
    }
    expect(
      logLevelOf(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees'),
    ).toBe('debug');
  });

  it('demotes what a settling broker answers at start-up and during a rebalance (kafkajs retries it)', () => {
    for (const error of [
      'This server does not host this topic-partition',
      'The group coordinator is not available',
      'This is not the correct coordinator for this group',
      'There is no leader for this topic-partition as we are in the middle of a leadership election',
      'This server is not the leader for that topic-partition',
    ]) {
      expect(logLevelOf(logLevel.ERROR, 'Response Metadata(key: 3, version: 6)', error)).toBe('debug');
    }
    expect(logLevelOf(logLevel.WARN, 'The group is rebalancing, re-joining')).toBe('debug');
    expect(logLevelOf(logLevel.ERROR, '[Consumer] Crash: KafkaJSNumberOfRetriesExceeded', 'Connection timeout')).toBe(
      'error',
    );
  });

  it('demotes the answer of a topic creation another member won (ensureTopic handles it)', () => {
    expect(logLevelOf(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Topic creation errors')).toBe(
      'debug',
    );
    expect(logLevelOf(logLevel.ERROR, 'Response CreateTopics(key: 19, version: 3)', 'Request is not valid')).toBe(
      'error',
    );
  });
});
