import type { Queryable } from './database.ts';

/**
 * The time windows and places the posture boards are read for. A window ends at the end of the
 * minute in progress (ranges of hourly buckets: of the hour in progress) and is cut into equal
 * buckets back from its end, so every bucket is whole and the rollups (per minute, per hour)
 * fall into them exactly, in any time zone.
 */
export const postureRanges = {
  /** The quarter hour just past, minute by minute: what is happening now. */
  live: { windowMs: 15 * 60_000, bucketMs: 60_000 },
  '1h': { windowMs: 60 * 60_000, bucketMs: 5 * 60_000 },
  '24h': { windowMs: 24 * 3_600_000, bucketMs: 3_600_000 },
  '7d': { windowMs: 7 * 86_400_000, bucketMs: 6 * 3_600_000 },
} as const;
export type PostureRange = keyof typeof postureRanges;
export const postureRangeNames = Object.keys(postureRanges) as PostureRange[];

/** The place a board is read for: the city, a district, or a grid cell (with its district). */
export interface PostureScope {
  districtId: string | null;
  cellId: string | null;
}

/** [from, to) in epoch ms, cut into buckets of `bucketMs`, for one place. */
export interface PostureWindow extends PostureScope {
  from: number;
  to: number;
  bucketMs: number;
}

export function postureWindow(range: PostureRange, now: number, scope: Partial<PostureScope> = {}): PostureWindow {
  const { windowMs, bucketMs } = postureRanges[range];
  const alignMs = rollupSpanS(bucketMs) * 1000;
  const to = Math.floor(now / alignMs) * alignMs + alignMs;
  return { from: to - windowMs, to, bucketMs, districtId: scope.districtId ?? null, cellId: scope.cellId ?? null };
}

/**
 * Where a window's reads stop (epoch ms, exclusive): its end; for a past moment (a replay), just
 * after that moment, so nothing later counts, while the buckets stay whole. A rollup row counts
 * by its start: the minute (the hour, for day and week ranges) the moment falls in counts whole.
 */
export const readUntil = (window: Pick<PostureWindow, 'to'>, atMs?: number): number => (atMs === undefined ? window.to : Math.min(window.to, atMs + 1));

/** Each bucket's start, ISO 8601 UTC: the x axis every series of a window shares. */
export function bucketStarts(window: Pick<PostureWindow, 'from' | 'to' | 'bucketMs'>): string[] {
  const count = Math.ceil((window.to - window.from) / window.bucketMs);
  return Array.from({ length: count }, (_, i) => new Date(window.from + i * window.bucketMs).toISOString());
}

/**
 * SQL for "this timestamptz column is in the window", with the window's from and to (epoch ms)
 * as the parameters numbered `fromParam` and `fromParam + 1`.
 */
export function inWindowSql(column: string, fromParam: number): string {
  return `${column} >= to_timestamp($${fromParam} / 1000.0) AND ${column} < to_timestamp($${fromParam + 1} / 1000.0)`;
}

/** SQL for the bucket number of a timestamptz column, with from and bucketMs (epoch ms, ms) as the numbered parameters. */
export function bucketSql(column: string, fromParam: number, bucketMsParam: number): string {
  return `floor((extract(epoch FROM ${column}) * 1000 - $${fromParam}) / $${bucketMsParam})::int`;
}

/** Rows of (bucket, value) as one value per bucket of the window, `empty` where a bucket has no row. */
export function denseSeries<T>(window: Pick<PostureWindow, 'from' | 'to' | 'bucketMs'>, rows: readonly { bucket: number; value: T }[], empty: T): T[] {
  const series: T[] = bucketStarts(window).map(() => empty);
  for (const row of rows) if (row.bucket >= 0 && row.bucket < series.length) series[row.bucket] = row.value;
  return series;
}

/** A share as a number, or null when there is nothing to share out. */
export const shareOf = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/** The rollup rows a window's buckets are summed from: per hour (3600 s) for buckets of hours, else per minute (60 s). */
export const rollupSpanS = (bucketMs: number): 60 | 3600 => (bucketMs >= 3_600_000 ? 3600 : 60);

/** How long rollup rows are kept, ms, by span: the longest range reading them, and a day to spare. */
export const rollupRetentionMs = { 60: postureRanges['1h'].windowMs + 86_400_000, 3600: postureRanges['7d'].windowMs + 86_400_000 };

/** SQL for `start` of the rollup rows of span `span_s` that an event at `column` falls in. */
export const rollupStartSql = (column: string) => `CASE spans.span_s WHEN 60 THEN date_trunc('minute', ${column}) ELSE date_trunc('hour', ${column}) END`;
/** The spans each rollup write adds to, as a FROM item named `spans`. */
export const rollupSpansSql = `(VALUES (60), (3600)) AS spans(span_s)`;

/**
 * The place a board is asked for, checked against the city: a cell brings its district, and a
 * district and cell that do not match, or do not exist, are refused with what to use instead.
 */
export async function resolvePostureScope(db: Queryable, asked: PostureScope): Promise<PostureScope | { error: string }> {
  if (asked.cellId !== null) {
    const [cell] = await db.query<{ districtId: string }>('SELECT district_id AS "districtId" FROM grid_cells WHERE id = $1', [asked.cellId]);
    if (!cell) return { error: `no grid cell "${asked.cellId}"; the cells are in /api/basemap/grid-cells.geojson` };
    if (asked.districtId !== null && asked.districtId !== cell.districtId) return { error: `grid cell "${asked.cellId}" is in district "${cell.districtId}", not "${asked.districtId}"; leave district out` };
    return { districtId: cell.districtId, cellId: asked.cellId };
  }
  if (asked.districtId !== null) {
    const [district] = await db.query('SELECT 1 FROM districts WHERE id = $1', [asked.districtId]);
    if (!district) return { error: `no district "${asked.districtId}"; the districts are in /api/city` };
  }
  return asked;
}
