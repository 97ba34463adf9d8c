import { Subscription } from 'rxjs';
import {
  bucketStarts,
  lastAcceptedAt,
  persistFeedCounts,
  postureWindow,
  readPostureBoards,
  resolvePostureScope,
  type Database,
  type RoadRouter,
} from '../geo/index.ts';
import { postureBoards, postureQuerySchema, trailingFeedRates, writePerTick, type FeedName, type FeedRate, type FeedStatus, type PostureQuery, type PostureSnapshot } from '../streams/index.ts';
import { feedStatus } from './feed-status.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

// Live feed rates: over the trailing minute, brought up to date this often, ms.
const liveRateWindowMs = 60_000;
const liveRateEveryMs = 5_000;
// Feed counts are summed per minute in the database: a write this often is plenty, ms.
const feedCountTickMs = 5_000;

export interface PostureOptions {
  db: () => Database;
  router: () => RoadRouter;
  /** How fresh each feed is now, with its staleness limit. */
  feeds: () => FeedStatus[];
  metrics: Metrics;
  log: Logger;
}

/**
 * The officials' boards: reads every board for a query, and keeps the feed counts they need,
 * per minute in the database and over the trailing minute live.
 */
export function createPosture({ db, router, feeds, metrics, log }: PostureOptions) {
  let liveRates: FeedRate[] = [];
  const running = new Subscription();

  /** A query from a request or a socket, checked: the reason when it cannot be read. */
  async function resolve(input: unknown): Promise<PostureQuery | { error: string }> {
    const parsed = postureQuerySchema.safeParse(input ?? {});
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? 'query');
      const wanted = postureQuerySchema.shape[field as keyof typeof postureQuerySchema.shape]?.description ?? parsed.error.issues[0]?.message;
      return { error: `bad ${field}: give ${wanted}` };
    }
    const { range, district, cell, minutes, boards } = parsed.data;
    const scope = await resolvePostureScope(db(), { districtId: district ?? null, cellId: cell ?? null });
    if ('error' in scope) return scope;
    return { range, ...scope, minutes, boards: boards ? postureBoards.filter((board) => boards.includes(board)) : [...postureBoards] };
  }

  /** How fresh each feed was at a past moment: from the minute rollups of what was accepted (by the minute). */
  async function feedsAt(atMs: number): Promise<FeedStatus[]> {
    const last = await lastAcceptedAt(db(), atMs);
    const staleAfterMs = Object.fromEntries(feeds().map((feed) => [feed.feed, feed.staleAfterMs])) as Record<FeedName, number>;
    return feedStatus(metrics, staleAfterMs, (source) => (last.get(source) ?? 0) / 1000);
  }

  /** The boards of a query now, or at a past moment `atMs` (a replay). */
  async function read(query: PostureQuery, atMs?: number): Promise<PostureSnapshot> {
    const past = atMs !== undefined;
    const now = atMs ?? Date.now();
    const window = postureWindow(query.range, now, query);
    const status = past && query.boards.includes('feeds') ? await feedsAt(atMs) : feeds();
    const staleAfter = (feed: FeedName) => status.find((s) => s.feed === feed)!.staleAfterMs;
    const { feeds: feedBoard, ...boards } = await readPostureBoards(db(), router(), window, {
      boards: query.boards,
      minutes: query.minutes,
      silentAfterMs: { cameras: staleAfter('cameras'), buses: staleAfter('buses') },
      ...(past && { atMs }),
    });
    return {
      query,
      at: new Date(now).toISOString(),
      ...(past && { replayed: true as const }),
      window: { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString(), bucketMs: window.bucketMs, buckets: bucketStarts(window) },
      ...boards,
      ...(feedBoard && {
        feeds: {
          ...feedBoard,
          live: past ? [] : liveRates,
          status: status.map((feed) => ({ ...feed, stale: feed.lastAcceptedAt === null || now - Date.parse(feed.lastAcceptedAt) > feed.staleAfterMs })),
        },
      }),
    };
  }

  return {
    resolve,
    read,
    /** Starts counting ingest: per minute into the database, and live. */
    start(): void {
      running.add(metrics.ingestCounts.pipe(trailingFeedRates(liveRateWindowMs, liveRateEveryMs)).subscribe((rates) => (liveRates = rates)));
      running.add(
        metrics.ingestCounts
          .pipe(
            writePerTick((batch) => persistFeedCounts(db(), batch), {
              tickMs: feedCountTickMs,
              onWriteFailure: (error, attempt) => log.warn('writing feed counts failed; retrying with the batch kept', { attempt, error }),
              onSetAside: (item, error) => log.error('the database refused a feed count; it is left out of the posture boards', { item, error }),
            }),
          )
          .subscribe({ error: (error: unknown) => log.error('the feed count pipeline stopped', { error }) }),
      );
    },
    stop(): void {
      running.unsubscribe();
    },
  };
}
export type Posture = ReturnType<typeof createPosture>;
