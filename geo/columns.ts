/** A batch as one array per column, the parameters of `unnest($1::type[], …)`: the shape of every set-based write. */
export function toColumns<Row>(rows: readonly Row[], ...columns: ((row: Row) => unknown)[]): unknown[][] {
  return columns.map((column) => rows.map(column));
}

/** A timestamptz column as UTC ISO 8601 with milliseconds, the form every API answers with. */
export const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A parameter holding epoch ms, as a timestamptz. */
export const fromEpochMs = (param: string) => `to_timestamp(${param}::float8 / 1000)`;

/** A timestamptz column as epoch ms (a number, not a string). */
export const epochMs = (column: string) => `round(extract(epoch FROM ${column}) * 1000)::float8`;
