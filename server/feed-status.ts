import { feedNames, type FeedName, type FeedStatus } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

// The ingest sources behind each feed an operator watches.
const sourcesOf: Record<FeedName, string[]> = {
  trackers: ['osmand'],
  buses: ['gtfs-rt'],
  cameras: ['mqtt', 'http-cameras'],
  reports: ['open311'],
};

/** Quiet for longer than this, a feed is stale, ms: several of its usual intervals (trackers 5 s, GTFS-RT 15 s, cameras 60 s). */
export const defaultStaleAfterMs: Record<FeedName, number> = { trackers: 30_000, buses: 60_000, cameras: 180_000, reports: 900_000 };

/** How fresh each feed is, from when its sources last had input accepted. */
export function feedStatus(metrics: Metrics, staleAfterMs: Record<FeedName, number> = defaultStaleAfterMs): FeedStatus[] {
  return feedNames.map((feed) => {
    const lastS = Math.max(0, ...sourcesOf[feed].map((source) => metrics.value('onescreen_ingest_last_accepted_seconds', { source })));
    return { feed, lastAcceptedAt: lastS > 0 ? new Date(lastS * 1000).toISOString() : null, staleAfterMs: staleAfterMs[feed] };
  });
}
