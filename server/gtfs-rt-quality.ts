// GTFS-RT feed quality, live: the feed-level rules of MobilityData's validator (W007 refresh
// interval over 35 s, W008 header older than 65 s) per poll, and the vehicle rules (geo's check
// against the imported static feed) per poll's vehicles; counted on /metrics and the feeds board.
import { checkVehicleQuality, type Database } from '../geo/index.ts';
import type { PositionEvent } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

const refreshWithinMs = 35_000;
const headerWithinMs = 65_000;

/**
 * Follows each feed's header time across polls: W007 when it moved on by more than 35 s, or has
 * not moved for longer; W008 when it is more than 65 s older than the poll.
 */
export function feedHeaderRules() {
  const seen = new Map<string, { headerMs: number; changedAt: number }>();
  return (url: string, headerMs: number | undefined, polledAt: number): ('W007' | 'W008')[] => {
    if (headerMs === undefined) return [];
    const last = seen.get(url);
    let stale = false;
    if (!last || last.headerMs !== headerMs) {
      stale = last !== undefined && headerMs - last.headerMs > refreshWithinMs;
      seen.set(url, { headerMs, changedAt: polledAt });
    } else stale = polledAt - last.changedAt > refreshWithinMs;
    return [...(stale ? ['W007' as const] : []), ...(polledAt - headerMs > headerWithinMs ? ['W008' as const] : [])];
  };
}

const text = (event: PositionEvent, name: string) => (typeof event.attributes?.[name] === 'string' ? (event.attributes[name] as string) : null);

/** Counts what a poll's vehicles broke (checked against the database's static feed). */
export async function countVehicleQuality(db: Database, events: readonly PositionEvent[], metrics: Metrics, source: string): Promise<void> {
  const broken = await checkVehicleQuality(
    db,
    events.map((event) => ({ tripId: text(event, 'tripId'), routeId: text(event, 'routeId'), stopId: text(event, 'stopId'), lon: event.lon, lat: event.lat, speedKmh: event.speedKmh })),
  );
  for (const [rule, count] of Object.entries(broken)) metrics.quality(source, rule, count);
}
