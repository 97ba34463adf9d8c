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

// W004: a speed over 26 m/s is unrealistic for a bus.
const unrealisticKmh = 26 * 3.6;

/**
 * Counts what a poll's vehicles broke: an unrealistic speed (W004) always; the rules against the
 * static feed (checked in the database) only where the city has an imported timetable: a generated
 * city's simulated agency has none, and its polls stay off the database.
 */
export async function countVehicleQuality(db: Database, timetabled: boolean, events: readonly PositionEvent[], metrics: Metrics, source: string): Promise<void> {
  metrics.quality(source, 'W004', events.filter((event) => (event.speedKmh ?? 0) > unrealisticKmh).length);
  if (!timetabled) return;
  const broken = await checkVehicleQuality(
    db,
    events.map((event) => ({ tripId: text(event, 'tripId'), tripRelationship: text(event, 'tripRelationship'), routeId: text(event, 'routeId'), stopId: text(event, 'stopId'), lon: event.lon, lat: event.lat })),
  );
  for (const [rule, count] of Object.entries(broken)) metrics.quality(source, rule, count);
}
