// The derived queue metrics of PRODUCT.md ("Metric definitions"), the one source of their formulas: the domain
// (libs/domain queue-metrics.ts, typed by derived-metrics.d.ts), the alert rules and the wallboard page all call
// these. A classic script with no dependencies, so the same file runs under Node (`require`) and in the browser
// (the gateway serves it at /wallboard/derived-metrics.js; it sets `globalThis.SwitchboardDerivedMetrics`), with
// no build step and nothing inline for the page's CSP.
//
// Each takes the sums and counts of one `queue_stats_1m` row, or of several summed column-wise (camelCase names:
// answeredWaitMsSum, …), and is null when its denominator is 0 (no data is not 0 %).
((root, factory) => {
  const api = factory();
  if (typeof module === 'object' && module.exports) module.exports = api;
  else root.SwitchboardDerivedMetrics = api;
})(typeof globalThis === 'object' ? globalThis : this, () => {
  function ratio(numerator, denominator) {
    return denominator > 0 ? numerator / denominator : null;
  }

  /** Average speed of answer, ms: answered_wait_ms_sum / answered. */
  function averageSpeedOfAnswerMs(c) {
    return ratio(c.answeredWaitMsSum, c.answered);
  }

  /** Average call (talk) duration, ms: talk_ms_sum / talk_count. */
  function averageCallDurationMs(c) {
    return ratio(c.talkMsSum, c.talkCount);
  }

  /** The calls the service level is judged on: answered + abandoned − abandoned_short (never below 0). */
  function handledCalls(c) {
    return Math.max(0, c.answered + c.abandoned - c.abandonedShort);
  }

  /** Service level, 0..1: answered_in_sla / (answered + abandoned − abandoned_short). */
  function serviceLevel(c) {
    return serviceLevelOfHandled(c.answeredInSla, handledCalls(c));
  }

  /** The same, from answered_in_sla and handled calls already summed (the alert rule keeps only those two). */
  function serviceLevelOfHandled(answeredInSla, handled) {
    return ratio(answeredInSla, handled);
  }

  /** Abandon rate, 0..1: abandoned / offered. */
  function abandonRate(c) {
    return ratio(c.abandoned, c.offered);
  }

  /** All four of one row or of a column-wise sum. */
  function derivedQueueMetrics(c) {
    return {
      asaMs: averageSpeedOfAnswerMs(c),
      averageCallDurationMs: averageCallDurationMs(c),
      serviceLevel: serviceLevel(c),
      abandonRate: abandonRate(c),
    };
  }

  return {
    averageSpeedOfAnswerMs,
    averageCallDurationMs,
    handledCalls,
    serviceLevel,
    serviceLevelOfHandled,
    abandonRate,
    derivedQueueMetrics,
  };
});
