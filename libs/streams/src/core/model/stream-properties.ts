/** The properties of a stream as they travel on the wire: a full snapshot each time they change. */
export interface StreamPropertiesData {
  name: string | null;
  location: string | null;
  metadata: Record<string, string>;
  parents: string[];
  timeOfRecording: number | null;
}

export function emptyProperties(): StreamPropertiesData {
  return { name: null, location: null, metadata: {}, parents: [], timeOfRecording: null };
}
