// Types of derived-metrics.js (a classic script shared by the domain, the alert rules and the wallboard page).

export interface AnsweredWait {
  readonly answered: number;
  readonly answeredWaitMsSum: number;
}
export interface Talk {
  readonly talkMsSum: number;
  readonly talkCount: number;
}
export interface Handled {
  readonly answered: number;
  readonly abandoned: number;
  readonly abandonedShort: number;
}
export interface ServiceLevelInputs extends Handled {
  readonly answeredInSla: number;
}
export interface AbandonInputs {
  readonly abandoned: number;
  readonly offered: number;
}

/** The four derived metrics of PRODUCT.md, as the API, the alert rules and the page show them. */
export interface DerivedQueueMetrics {
  /** Average speed of answer, ms. */
  asaMs: number | null;
  averageCallDurationMs: number | null;
  /** 0..1 */
  serviceLevel: number | null;
  /** 0..1 */
  abandonRate: number | null;
}

export function averageSpeedOfAnswerMs(c: AnsweredWait): number | null;
export function averageCallDurationMs(c: Talk): number | null;
export function handledCalls(c: Handled): number;
export function serviceLevel(c: ServiceLevelInputs): number | null;
export function serviceLevelOfHandled(answeredInSla: number, handled: number): number | null;
export function abandonRate(c: AbandonInputs): number | null;
export function derivedQueueMetrics(c: AnsweredWait & Talk & ServiceLevelInputs & AbandonInputs): DerivedQueueMetrics;
