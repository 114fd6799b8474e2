// The feed's producer on a thread of its own: the clients keep the main thread busy, and a produce ack must be
// timed when it arrives, not when a busy event loop gets to it (bench/update-feed.ts starts this file).
import { parentPort, workerData } from 'node:worker_threads';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaMessageSender } from '../libs/streams/src/kafka/kafka-sender';
import { FeedLedger } from './feed-ledger';
import { FeedProducer, seededRandom } from './feed-producer';
import { buildRows } from './live-rows';
import type { FeedRequest, FeedWorkerData } from './update-feed';

const data = workerData as FeedWorkerData;
const sender = new KafkaMessageSender(
  new Kafka({ clientId: 'bench-gateway-feed', brokers: data.brokers, logLevel: logLevel.NOTHING }),
);
const producer = new FeedProducer(
  buildRows(data.rowSet),
  new FeedLedger(data.ledger),
  sender,
  data.namespace,
  seededRandom(data.seed),
);

parentPort?.on('message', (request: FeedRequest) => {
  const work =
    request.op === 'touchAll'
      ? producer.touchAll()
      : request.op === 'run'
        ? producer.run(request.rate, request.seconds)
        : sender.close();
  work.then(
    (result) => parentPort?.postMessage({ id: request.id, result }),
    (err: Error) => parentPort?.postMessage({ id: request.id, error: err.message }),
  );
});
