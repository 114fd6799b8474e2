import { z } from 'zod';
import { commonFields, entityId } from './fields';

/** An agent picked the call up: its wait ends, its talk time starts. */
export const callAnsweredSchema = z.object({
  type: z.literal('call.answered'),
  ...commonFields,
  callId: entityId,
  agentId: entityId,
});
export type CallAnswered = z.output<typeof callAnsweredSchema>;
