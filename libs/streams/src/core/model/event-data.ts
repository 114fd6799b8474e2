/** An irregular happening in a stream: when, what (id), a value, and tags. */
export interface EventData {
  timestamp: number;
  id: string;
  value: string;
  tags: Record<string, string>;
}
