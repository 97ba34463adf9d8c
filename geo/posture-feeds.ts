import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';
import { bucketSql, denseSeries, inWindowSql, readUntil, rollupRetentionMs, rollupSpanS, rollupSpansSql, rollupStartSql, type PostureWindow } from './posture-window.ts';

/** Input an ingest source took or refused: `outcome` is 'accepted' or the reason it was refused. */
export interface FeedCount {
  source: string;
  outcome: string;
  /** Epoch ms. */
  receivedAt: number;
  count: number;
}

/** Adds a batch of counts to the rollups, summed per minute and per hour, source and outcome; one statement. */
export async function persistFeedCounts(db: Queryable, counts: readonly FeedCount[]): Promise<void> {
  if (counts.length === 0) return;
  await db.query(
    `INSERT INTO feed_rollup (span_s, start, source, outcome, count)
     SELECT spans.span_s, ${rollupStartSql('to_timestamp(b.received_ms / 1000)')}, source, outcome, sum(count)::int
       FROM unnest($1::text[], $2::text[], $3::float8[], $4::int[]) AS b(source, outcome, received_ms, count), ${rollupSpansSql} GROUP BY 1, 2, 3, 4
     ON CONFLICT (span_s, start, source, outcome) DO UPDATE SET count = feed_rollup.count + excluded.count`,
    toColumns(
      counts,
      (c) => c.source,
      (c) => c.outcome,
      (c) => c.receivedAt,
      (c) => c.count,
    ),
  );
}

/**
 * The posture of the feeds (数据接入) for a window, city-wide: feeds have no district. Per
 * ingest source, counted when received:
 * - `bySource`: input accepted and refused in the window;
 * - `rejectsByReason`: the refused, by source and reason, most first;
 * - `qualityByRule`: input taken that broke a quality rule, by source and rule, most first;
 * - `byBucket`: accepted per bucket of the window, one series per source.
 */
export interface FeedPosture {
  bySource: { source: string; accepted: number; rejected: number }[];
  rejectsByReason: { source: string; reason: string; count: number }[];
  /** Input taken that broke a quality rule (GTFS-RT: the validator's codes), most first. */
  qualityByRule: { source: string; rule: string; count: number }[];
  byBucket: { source: string; accepted: number[] }[];
}

/** With `atMs`, as the feeds were at that past moment (a replay): counted up to then (readUntil). */
export async function readFeedPosture(db: Queryable, window: PostureWindow, atMs?: number): Promise<FeedPosture> {
  const params = [window.from, readUntil(window, atMs), rollupSpanS(window.bucketMs)];
  const minutes = `SELECT * FROM feed_rollup f WHERE f.span_s = $3 AND ${inWindowSql('f.start', 1)}`;
  // Quality issues are counted beside the outcomes (outcome 'quality:<rule>'): taken, not refused.
  const refused = `outcome <> 'accepted' AND outcome NOT LIKE 'quality:%'`;
  const [bySource, rejectsByReason, qualityByRule, buckets] = await Promise.all([
    db.query<FeedPosture['bySource'][number]>(
      `SELECT source, coalesce(sum(count) FILTER (WHERE outcome = 'accepted'), 0)::int AS accepted, coalesce(sum(count) FILTER (WHERE ${refused}), 0)::int AS rejected
         FROM (${minutes}) f GROUP BY 1 ORDER BY 1`,
      params,
    ),
    db.query<FeedPosture['rejectsByReason'][number]>(
      `SELECT source, outcome AS reason, sum(count)::int AS count FROM (${minutes}) f WHERE ${refused} GROUP BY 1, 2 ORDER BY count DESC, 1, 2`,
      params,
    ),
    db.query<FeedPosture['qualityByRule'][number]>(
      `SELECT source, substring(outcome FROM 9) AS rule, sum(count)::int AS count FROM (${minutes}) f WHERE outcome LIKE 'quality:%' GROUP BY 1, 2 ORDER BY count DESC, 1, 2`,
      params,
    ),
    db.query<{ source: string; bucket: number; value: number }>(
      `SELECT source, ${bucketSql('f.start', 1, 4)} AS bucket, sum(count)::int AS value FROM (${minutes}) f WHERE outcome = 'accepted' GROUP BY 1, 2`,
      [...params, window.bucketMs],
    ),
  ]);
  return {
    bySource,
    rejectsByReason,
    qualityByRule,
    byBucket: bySource.map(({ source }) => ({ source, accepted: denseSeries(window, buckets.filter((row) => row.source === source), 0) })),
  };
}

/**
 * When each ingest source last had input accepted at or before `atMs` (epoch ms), from the minute
 * rollups: the end of the newest minute with any (the moment itself, when that minute holds it).
 * By the minute, and only as far back as minute rollups are kept (a day and an hour).
 */
export async function lastAcceptedAt(db: Queryable, atMs: number): Promise<Map<string, number>> {
  const rows = await db.query<{ source: string; startMs: number }>(
    `SELECT source, extract(epoch FROM max(start))::float8 * 1000 AS "startMs" FROM feed_rollup
      WHERE span_s = 60 AND outcome = 'accepted' AND count > 0 AND start <= to_timestamp($1::float8 / 1000) AND start > to_timestamp(($1::float8 - $2) / 1000)
      GROUP BY source`,
    [atMs, rollupRetentionMs[60]],
  );
  return new Map(rows.map((row) => [row.source, Math.min(row.startMs + 60_000, atMs)]));
}

