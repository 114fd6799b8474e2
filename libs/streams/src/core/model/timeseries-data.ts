/**
 * Timeseries rows packed column-wise: one timestamp column, then one column per numeric value, string
 * value and tag. A row missing a value holds null in that column. Many rows travel in one Kafka message.
 */
export type Column<T> = (T | null)[];

export interface TimeseriesColumns {
  timestamps: number[];
  numericValues: Record<string, Column<number>>;
  stringValues: Record<string, Column<string>>;
  tagValues: Record<string, Column<string>>;
}

/** A read-only view of one row of a TimeseriesData. */
export class TimeseriesRow {
  constructor(
    private readonly data: TimeseriesData,
    readonly index: number,
  ) {}

  get timestamp(): number {
    return this.data.timestamps[this.index];
  }

  numeric(name: string): number | null {
    return this.data.numericValues.get(name)?.[this.index] ?? null;
  }

  string(name: string): string | null {
    return this.data.stringValues.get(name)?.[this.index] ?? null;
  }

  tag(name: string): string | null {
    return this.data.tagValues.get(name)?.[this.index] ?? null;
  }

  /** All values of the row by name (numeric and string), nulls left out. */
  values(): Record<string, number | string> {
    const out: Record<string, number | string> = {};
    for (const [name, col] of this.data.numericValues)
      if (col[this.index] != null) out[name] = col[this.index] as number;
    for (const [name, col] of this.data.stringValues)
      if (col[this.index] != null) out[name] = col[this.index] as string;
    return out;
  }

  tags(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, col] of this.data.tagValues) if (col[this.index] != null) out[name] = col[this.index] as string;
    return out;
  }
}

export class TimeseriesData {
  readonly timestamps: number[] = [];
  readonly numericValues = new Map<string, Column<number>>();
  readonly stringValues = new Map<string, Column<string>>();
  readonly tagValues = new Map<string, Column<string>>();

  get length(): number {
    return this.timestamps.length;
  }

  /** Starts a new row; returns its index. */
  addRow(timestamp: number): number {
    this.timestamps.push(timestamp);
    return this.timestamps.length - 1;
  }

  setNumeric(row: number, name: string, value: number): void {
    set(this.numericValues, row, name, value);
  }

  setString(row: number, name: string, value: string): void {
    set(this.stringValues, row, name, value);
  }

  setTag(row: number, name: string, value: string): void {
    set(this.tagValues, row, name, value);
  }

  *rows(): IterableIterator<TimeseriesRow> {
    for (let i = 0; i < this.timestamps.length; i++) yield new TimeseriesRow(this, i);
  }

  /** Appends every row of `other` (used by the producer buffer to pack rows into one message). */
  append(other: TimeseriesData): void {
    const base = this.timestamps.length;
    for (const ts of other.timestamps) this.timestamps.push(ts);
    copyColumns(other.numericValues, this.numericValues, base);
    copyColumns(other.stringValues, this.stringValues, base);
    copyColumns(other.tagValues, this.tagValues, base);
  }

  /** The column-wise wire shape; every column padded to the row count. */
  toColumns(): TimeseriesColumns {
    const n = this.timestamps.length;
    return {
      timestamps: this.timestamps,
      numericValues: padded(this.numericValues, n),
      stringValues: padded(this.stringValues, n),
      tagValues: padded(this.tagValues, n),
    };
  }

  static fromColumns(cols: TimeseriesColumns): TimeseriesData {
    const data = new TimeseriesData();
    data.timestamps.push(...cols.timestamps);
    for (const [k, v] of Object.entries(cols.numericValues)) data.numericValues.set(k, v);
    for (const [k, v] of Object.entries(cols.stringValues)) data.stringValues.set(k, v);
    for (const [k, v] of Object.entries(cols.tagValues)) data.tagValues.set(k, v);
    return data;
  }
}

function set<T>(columns: Map<string, Column<T>>, row: number, name: string, value: T): void {
  let col = columns.get(name);
  if (!col) {
    col = [];
    columns.set(name, col);
  }
  while (col.length < row) col.push(null);
  col[row] = value;
}

function copyColumns<T>(from: Map<string, Column<T>>, to: Map<string, Column<T>>, base: number): void {
  for (const [name, src] of from) {
    for (let i = 0; i < src.length; i++) if (src[i] !== null) set(to, base + i, name, src[i] as T);
  }
}

function padded<T>(columns: Map<string, Column<T>>, n: number): Record<string, Column<T>> {
  const out: Record<string, Column<T>> = {};
  for (const [name, col] of columns) {
    while (col.length < n) col.push(null);
    out[name] = col;
  }
  return out;
}
