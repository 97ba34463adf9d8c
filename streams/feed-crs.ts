// Chinese feeds often send GCJ-02 or BD-09 coordinates: they are turned into WGS-84 at the edge,
// per feed, before anything else sees them.
import { round7, toWgs84, type Crs } from './crs.ts';
import type { CityEvent } from './events.ts';

/** The feeds whose coordinate system can be configured (FEED_CRS). */
// (Calls are not among them: the console's map and a CAD system post through one route.)
export const crsFeeds = ['osmand', 'gtfs-rt', 'cameras', 'open311', 'alarms'] as const;
export type CrsFeed = (typeof crsFeeds)[number];

/** The events with any longitude and latitude they carry converted from `crs` to WGS-84. */
export function eventsInWgs84<Event extends CityEvent>(crs: Crs, events: readonly Event[]): Event[] {
  if (crs === 'wgs84') return [...events];
  return events.map((event) => {
    if (!('lon' in event) || event.lon === null || event.lat === null) return event;
    const [lon, lat] = toWgs84(crs, [event.lon, event.lat]);
    return { ...event, lon: round7(lon), lat: round7(lat) };
  });
}
