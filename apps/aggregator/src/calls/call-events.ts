/** The contact-centre events of one call, as the aggregator receives them (ts = epoch ms, event time). */
export interface CallStarted {
  readonly type: 'call.started';
  readonly callId: string;
  readonly queue: string;
  readonly ts: number;
}

export interface CallAnswered {
  readonly type: 'call.answered';
  readonly callId: string;
  readonly agentId: string;
  readonly ts: number;
}

export interface CallEnded {
  readonly type: 'call.ended';
  readonly callId: string;
  readonly ts: number;
}

export type CallEvent = CallStarted | CallAnswered | CallEnded;
