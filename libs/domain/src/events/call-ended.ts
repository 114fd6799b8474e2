import { z } from 'zod';
import { commonFields, entityId } from './fields';

/** The call ended: completed if it was answered before, abandoned otherwise. */
export const callEndedSchema = z.object({
  type: z.literal('call.ended'),
  ...commonFields,
  callId: entityId,
});
export type CallEnded = z.output<typeof callEndedSchema>;
