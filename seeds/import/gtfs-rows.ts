// A checked GTFS feed as the rows of the product's timetable tables: each trip on its own shape
// (or, without one, on the line through its stops), a route drawn on its longest trip's shape,
// stop times complete (times the feed leaves out interpolated by stop order).
import { createHash } from 'node:crypto';
import { distanceMetres, zoneOffsetMin, type ImportedFrequency, type ImportedRoute, type ImportedRouteStop, type ImportedService, type ImportedServiceDate, type ImportedShape, type ImportedStop, type ImportedTrip, type ImportedTripStop, type LonLat } from '../../geo/index.ts';
import type { GtfsFeed, GtfsStopTime } from './gtfs-read.ts';
import type { ImportTally } from './refusals.ts';

export interface TimetableRows {
  stops: ImportedStop[];
  routes: ImportedRoute[];
  routeStops: ImportedRouteStop[];
  shapes: ImportedShape[];
  services: ImportedService[];
  serviceDates: ImportedServiceDate[];
  trips: ImportedTrip[];
  tripStops: ImportedTripStop[];
  frequencies: ImportedFrequency[];
}

// Routes without a colour of their own take these in turn (the generated cities' palette).
const palette = ['#f6c344', '#4cc9f0', '#f72585', '#7bd389', '#ff8c42', '#b388eb', '#3ddbd9', '#ff5d73', '#c0e66d', '#5fa8ff'];

const lengthOf = (line: LonLat[]) => line.reduce((sum, at, index) => (index === 0 ? 0 : sum + distanceMetres(line[index - 1]!, at)), 0);

/** A trip's stop times in order with every time filled, or undefined when its ends have none. */
function completeTimes(times: GtfsStopTime[]): { seq: number; stopId: string; arrivalS: number; departureS: number }[] | undefined {
  const ordered = [...times].sort((a, b) => a.seq - b.seq);
  if (ordered.length < 2 || ordered[0]!.departureS === null || ordered.at(-1)!.arrivalS === null) return undefined;
  const known = ordered.map((time, index) => ({ index, at: time.departureS })).filter((entry): entry is { index: number; at: number } => entry.at !== null);
  return ordered.map((time, index) => {
    if (time.arrivalS !== null && time.departureS !== null) return { seq: time.seq, stopId: time.stopId, arrivalS: time.arrivalS, departureS: time.departureS };
    const before = known.filter((entry) => entry.index < index).at(-1)!;
    const after = known.find((entry) => entry.index > index)!;
    const at = Math.round(before.at + ((after.at - before.at) * (index - before.index)) / (after.index - before.index));
    return { seq: time.seq, stopId: time.stopId, arrivalS: at, departureS: at };
  });
}

export function timetableRows(feed: GtfsFeed, tally: ImportTally): TimetableRows {
  const rows: TimetableRows = { stops: [...feed.stops.values()], routes: [], routeStops: [], shapes: [], services: [...feed.services.values()], serviceDates: feed.serviceDates, trips: [], tripStops: [], frequencies: [] };
  const shapes = new Map<string, LonLat[]>();
  // Per route, its longest trip: the line the map draws and the stops it lists.
  const longest = new Map<string, { length: number; line: LonLat[]; stopIds: string[] }>();
  for (const trip of feed.trips.values()) {
    const times = completeTimes(feed.stopTimes.get(trip.id) ?? []);
    if (!times) {
      tally.skip('trips.txt: a trip without times at its first and last stop');
      continue;
    }
    const stopIds = times.map((time) => time.stopId);
    let shapeId = trip.shapeId;
    if (!shapeId) {
      // Trips without a shape run the line through their stops; trips with the same stops share it.
      shapeId = `stops:${createHash('sha256').update(stopIds.join('\n')).digest('hex').slice(0, 16)}`;
      if (!shapes.has(shapeId)) shapes.set(shapeId, stopIds.map((id) => feed.stops.get(id)!.at));
    } else if (!shapes.has(shapeId)) shapes.set(shapeId, feed.shapes.get(shapeId)!);
    const line = shapes.get(shapeId)!;
    const length = lengthOf(line);
    if (length > (longest.get(trip.routeId)?.length ?? -1)) longest.set(trip.routeId, { length, line, stopIds });
    rows.trips.push({ id: trip.id, routeId: trip.routeId, serviceId: trip.serviceId, shapeId, direction: trip.direction, headsign: trip.headsign, timezone: feed.routes.get(trip.routeId)!.timezone });
    for (const time of times) rows.tripStops.push({ tripId: trip.id, ...time });
  }
  const taken = new Set(rows.trips.map((trip) => trip.id));
  rows.frequencies = feed.frequencies.filter((frequency) => taken.has(frequency.tripId));
  rows.shapes = [...shapes].map(([id, line]) => ({ id, line }));
  let colours = 0;
  for (const route of feed.routes.values()) {
    const drawn = longest.get(route.id);
    if (!drawn) {
      tally.skip('routes.txt: a bus route without a trip that can be timed');
      continue;
    }
    const name = [route.shortName, route.longName].filter(Boolean).join(' ') || route.id;
    rows.routes.push({ id: route.id, nameZh: name, nameEn: name, color: route.color ?? palette[colours++ % palette.length]!, line: drawn.line, utcOffsetMin: zoneOffsetMin(route.timezone) });
    drawn.stopIds.forEach((stopId, seq) => rows.routeStops.push({ routeId: route.id, seq, stopId }));
  }
  return rows;
}
