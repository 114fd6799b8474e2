export { kafkaLogCreator } from './connection';
export { kafkajsPort } from './kafkajs-port';
