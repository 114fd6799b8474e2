export * from './kafka-port';
