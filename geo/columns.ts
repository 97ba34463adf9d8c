/** A batch as one array per column, the parameters of `unnest($1::type[], …)`: the shape of every set-based write. */
export function toColumns<Row>(rows: readonly Row[], ...columns: ((row: Row) => unknown)[]): unknown[][] {
  return columns.map((column) => rows.map(column));
}
