/** How a stream ended: normally, by the user's code, or unexpectedly (e.g. a consumer shut down mid-stream). */
export enum StreamEndType {
  Closed = 'Closed',
  Aborted = 'Aborted',
  Terminated = 'Terminated',
}

export const STREAM_END_TYPES: ReadonlySet<string> = new Set(Object.values(StreamEndType));
