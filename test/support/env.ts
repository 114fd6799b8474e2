import { randomBytes } from 'node:crypto';
import type { KafkaConfig } from 'kafkajs';
import { loadKafkaConnection, streamingClientOptions } from '../../libs/service/src/kafka-connection';

const brokers = (process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.KAFKA_PORT ?? 9092}`).split(',');
/** The suite's Kafka connection, read as the services read it (KAFKA_SECURITY_PROTOCOL, SASL, TLS: README). */
const kafka = loadKafkaConnection({ ...process.env, KAFKA_BROKERS: brokers.join(',') });

/** Where the integration tests find the real services; `npm test` starts them. */
export const testEnv = {
  brokers,
  databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/switchboard',
  kafka,
  /** The connection as a kafkajs config of a test's or a benchmark's own (the same TLS and SASL). */
  kafkajs: { brokers, ...(kafka.ssl && { ssl: kafka.ssl }), ...(kafka.sasl && { sasl: kafka.sasl }) } as Pick<
    KafkaConfig,
    'brokers' | 'ssl' | 'sasl'
  >,
};

/** The streams library's options for a client of the suite's connection (the benchmarks' clients). */
export function testClientOptions(clientId: string) {
  return streamingClientOptions(kafka, clientId);
}

/** A fresh name per test, so tests never see each other's topics, groups or databases. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
