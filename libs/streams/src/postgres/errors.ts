import { StreamsError } from '../core/errors';

/**
 * This member no longer owns a partition it tried to checkpoint: another member acquired it since (a higher owner
 * epoch is stored). The whole checkpoint transaction was rolled back. Not retriable: drop the partition's state and
 * rejoin the group; the new owner resumes from the last committed checkpoint.
 */
export class FencedError extends StreamsError {
  constructor(
    message: string,
    context: { group: string; topic: string; partition: number; epoch: number; partitions?: string[] },
  ) {
    super(message, { retriable: false, context });
  }
}
