import { feedNames, type FeedName, type FeedStatus } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';
import type { RedisClient } from './realtime.ts';

// The ingest sources behind each feed an operator watches.
const sourcesOf: Record<FeedName, string[]> = {
  trackers: ['osmand'],
  buses: ['gtfs-rt'],
  cameras: ['mqtt', 'http-cameras'],
  reports: ['open311'],
};

/** Quiet for longer than this, a feed is stale, ms: several of its usual intervals (trackers 5 s, GTFS-RT 15 s, cameras 60 s). */
export const defaultStaleAfterMs: Record<FeedName, number> = { trackers: 30_000, buses: 60_000, cameras: 180_000, reports: 900_000 };

/** When this node last accepted input from `source`, s since 1970 (0: never). */
const acceptedHere = (metrics: Metrics) => (source: string) => metrics.value('onescreen_ingest_last_accepted_seconds', { source });

/** How fresh each feed is, from when its sources last had input accepted (on this node, or on any: sharedFeedClock). */
export function feedStatus(metrics: Metrics, staleAfterMs: Record<FeedName, number> = defaultStaleAfterMs, lastAcceptedS = acceptedHere(metrics)): FeedStatus[] {
  return feedNames.map((feed) => {
    const lastS = Math.max(0, ...sourcesOf[feed].map(lastAcceptedS));
    return { feed, lastAcceptedAt: lastS > 0 ? new Date(lastS * 1000).toISOString() : null, staleAfterMs: staleAfterMs[feed] };
  });
}

// Keeps the later of each source's time and the node's own, and answers them all: one round trip.
const mergeScript = `for i = 1, #ARGV, 2 do
  if tonumber(ARGV[i + 1]) > tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return redis.call('HGETALL', KEYS[1])`;

/**
 * Each source's last accepted input over every node (REDIS_URL): a feed whose trackers report to
 * node A is fresh on node B's screens too. `sync` merges this node's times into Redis and reads
 * every node's (the feeds push calls it each round); `lastAcceptedS` answers from the last sync.
 */
export function sharedFeedClock(client: RedisClient, keyPrefix: string, metrics: Metrics) {
  const here = acceptedHere(metrics);
  const sources = Object.values(sourcesOf).flat();
  let shared = new Map<string, number>();
  return {
    async sync(): Promise<void> {
      const answer = (await client.eval(mergeScript, { keys: [`${keyPrefix}:feeds-last-accepted`], arguments: sources.flatMap((source) => [source, String(here(source))]) })) as string[];
      shared = new Map(answer.flatMap((value, i) => (i % 2 === 0 ? [[value, Number(answer[i + 1])] as const] : [])));
    },
    lastAcceptedS: (source: string) => Math.max(here(source), shared.get(source) ?? 0),
  };
}
