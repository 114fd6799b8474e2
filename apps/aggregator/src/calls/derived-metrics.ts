// The derived queue metrics live in libs/domain (the gateway's REST shows them too); re-exported for the pipelines.
export {
  abandonRate,
  averageCallDurationMs,
  averageSpeedOfAnswerMs,
  serviceLevel,
  sumQueueStats,
} from '@switchboard/domain';
