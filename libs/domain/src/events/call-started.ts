import { z } from 'zod';
import { commonFields, entityId } from './fields';

/** A call entered a queue: it starts waiting. */
export const callStartedSchema = z.object({
  type: z.literal('call.started'),
  ...commonFields,
  callId: entityId,
  queue: entityId,
});
export type CallStarted = z.output<typeof callStartedSchema>;
