export { AGENT_STATUSES, type AgentStatus, type AgentStatusValue, agentStatusSchema } from './agent-status';
export { type CallAnswered, callAnsweredSchema } from './call-answered';
export { type CallEnded, callEndedSchema } from './call-ended';
export { type CallStarted, callStartedSchema } from './call-started';
export { EVENT_ID_PATTERN, ID_PATTERN, parseRfc3339 } from './fields';
export { type MeterReading, meterReadingSchema } from './meter-reading';
export {
  DEFAULT_MAX_FUTURE_MS,
  DEFAULT_MAX_PAST_MS,
  EVENT_TYPES,
  type EventType,
  eventSchemas,
  type IngestEvent,
  type ParseResult,
  parseEvent,
  restatementHorizonMs,
  type TimeWindow,
} from './parse';
