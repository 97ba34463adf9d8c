// GTFS static (https://gtfs.org/schedule/reference/) read and checked file by file: every field
// the product uses is validated, a bad row is refused with its file, line and field, and rows that
// depend on a refused or passed-over one follow it (a trip of a tram route, a stop time of that trip).
import type { LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import { readCsv, type FeedFile, type FileDigest, type OnBytes } from './feed-files.ts';
import { check, type ImportTally } from './refusals.ts';

// Buses and trolleybuses (basic and extended route types): what the product follows as buses.
const busRouteTypes = new Set(['3', '11', '700', '701', '702', '703', '704', '705', '706', '707', '708', '709', '710', '711', '712', '713', '714', '715', '716', '800']);

export interface GtfsStop {
  id: string;
  name: string;
  at: LonLat;
}
export interface GtfsRoute {
  id: string;
  shortName: string;
  longName: string;
  color: string | null;
  timezone: string;
}
export interface GtfsService {
  id: string;
  /** Bit 0 Monday … bit 6 Sunday. */
  weekdays: number;
  startDate: string | null;
  endDate: string | null;
}
export interface GtfsTrip {
  id: string;
  routeId: string;
  serviceId: string;
  shapeId: string | null;
  direction: number | null;
  headsign: string | null;
}
export interface GtfsStopTime {
  seq: number;
  stopId: string;
  /** Seconds from the service day's noon minus 12 h; null where the feed leaves it to interpolation. */
  arrivalS: number | null;
  departureS: number | null;
}

export interface GtfsFeed {
  stops: Map<string, GtfsStop>;
  routes: Map<string, GtfsRoute>;
  shapes: Map<string, LonLat[]>;
  services: Map<string, GtfsService>;
  serviceDates: { serviceId: string; date: string; added: boolean }[];
  trips: Map<string, GtfsTrip>;
  stopTimes: Map<string, GtfsStopTime[]>;
  frequencies: { tripId: string; startS: number; endS: number; headwayS: number; exactTimes: boolean }[];
  digests: FileDigest[];
}

/** A file the feed must have and does not, or one that cannot be read at all. */
export class FeedFileError extends Error {
  override name = 'FeedFileError';
}

// Each file's primary key (GTFS reference, "Primary key").
const primaryKeys: Record<string, string[]> = {
  'agency.txt': ['agency_id'],
  'stops.txt': ['stop_id'],
  'routes.txt': ['route_id'],
  'calendar.txt': ['service_id'],
  'calendar_dates.txt': ['service_id', 'date'],
  'shapes.txt': ['shape_id', 'shape_pt_sequence'],
  'trips.txt': ['trip_id'],
  'stop_times.txt': ['trip_id', 'stop_sequence'],
  'frequencies.txt': ['trip_id', 'start_time'],
};

const weekdayColumns = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** GTFS time "H:MM:SS" (hours may pass 24) as seconds, or undefined. */
export function gtfsSeconds(value: string | undefined): number | undefined {
  const match = /^(\d{1,3}):([0-5]\d):([0-5]\d)$/.exec(value ?? '');
  return match ? Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]) : undefined;
}

/** GTFS date "YYYYMMDD" as "YYYY-MM-DD", or undefined when it is no calendar date. */
export function gtfsDate(value: string | undefined): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})$/.exec(value ?? '');
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2]}-${match[3]}`;
  return new Date(`${iso}T00:00:00Z`).toISOString().startsWith(iso) ? iso : undefined;
}

function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads a GTFS feed's files (already opened as a folder or zip), checking each row. */
export async function readGtfs(files: Map<string, FeedFile>, crs: Crs, tally: ImportTally, onBytes?: OnBytes): Promise<GtfsFeed> {
  const feed: GtfsFeed = { stops: new Map(), routes: new Map(), shapes: new Map(), services: new Map(), serviceDates: [], trips: new Map(), stopTimes: new Map(), frequencies: [], digests: [] };
  const need = (name: string) => {
    const file = files.get(name);
    if (!file) throw new FeedFileError(`the feed has no ${name}: a GTFS feed needs agency.txt, stops.txt, routes.txt, trips.txt, stop_times.txt and calendar.txt or calendar_dates.txt`);
    return file;
  };
  if (!files.has('calendar.txt') && !files.has('calendar_dates.txt')) need('calendar.txt');
  /** Reads one file; `take` checks a row, refusing it with a field and reason, or takes it. */
  const read = async (name: string, take: (row: Record<string, string>, refuse: (field: string, reason: string) => void, line: number) => void, optional = false) => {
    const file = optional ? files.get(name) : need(name);
    if (!file) return;
    // A row whose primary key an earlier row has is refused: the first one stands.
    const keyFields = primaryKeys[name]!;
    const firstLine = new Map<string, number>();
    feed.digests.push(
      await readCsv(
        file,
        (row, line) => {
          const refuse = (field: string, reason: string) => tally.refuse(name, line, field, reason);
          const key = keyFields.map((field) => row[field] ?? '').join('\u0000');
          const earlier = firstLine.get(key);
          if (earlier !== undefined) return refuse(keyFields.join(', '), `${keyFields.map((field) => `"${row[field] ?? ''}"`).join(', ')} ${keyFields.length > 1 ? 'are' : 'is'} given to the row on line ${earlier} too`);
          firstLine.set(key, line);
          take(row, refuse, line);
        },
        onBytes,
      ),
    );
  };
  /** The first failing check of a field, refused; true when all passed. */
  const passes = (refuse: (field: string, reason: string) => void, checks: [field: string, problem: string | undefined][]) => {
    const failed = checks.find(([, problem]) => problem);
    if (failed) refuse(failed[0], failed[1]!);
    return !failed;
  };

  const zones = new Map<string, string>();
  await read('agency.txt', (row, refuse) => {
    if (!passes(refuse, [['agency_timezone', check.required(row.agency_timezone) ?? (validTimezone(row.agency_timezone!) ? undefined : `"${row.agency_timezone}" is not an IANA time zone (e.g. Asia/Shanghai)`)]])) return;
    zones.set(row.agency_id ?? '', row.agency_timezone!);
  });
  const zoneOf = (agencyId: string | undefined) => zones.get(agencyId ?? '') ?? (zones.size === 1 ? [...zones.values()][0] : undefined);

  const parents = new Map<string, string>();
  await read('stops.txt', (row, refuse) => {
    const kind = row.location_type ?? '';
    if (!passes(refuse, [['stop_id', check.required(row.stop_id)], ['location_type', check.oneOf(kind, ['', '0', '1', '2', '3', '4'])]])) return;
    if (row.stop_name) parents.set(row.stop_id!, row.stop_name);
    // Stations stay: feeds time trips at them, though the reference asks for their platforms.
    if (!['', '0', '1'].includes(kind)) return tally.skip('stops.txt: an entrance, node or boarding area, not where a bus stops');
    if (!passes(refuse, [['stop_lat', check.number(row.stop_lat, -90, 90)], ['stop_lon', check.number(row.stop_lon, -180, 180)]])) return;
    const name = row.stop_name || parents.get(row.parent_station ?? '') || row.stop_id!;
    feed.stops.set(row.stop_id!, { id: row.stop_id!, name, at: toWgs84(crs, [Number(row.stop_lon), Number(row.stop_lat)]) });
  });

  const otherModes = new Set<string>();
  await read('routes.txt', (row, refuse) => {
    const timezone = zoneOf(row.agency_id);
    const color = row.route_color ?? '';
    if (!passes(refuse, [['route_id', check.required(row.route_id)], ['route_type', check.integer(row.route_type)], ['agency_id', timezone ? undefined : `"${row.agency_id ?? ''}" is no agency in agency.txt`], ['route_color', color === '' || /^[0-9A-Fa-f]{6}$/.test(color) ? undefined : `"${color}" is not a six-digit hex colour`]])) return;
    if (!busRouteTypes.has(row.route_type!)) {
      otherModes.add(row.route_id!);
      return tally.skip(`routes.txt: not a bus route (route_type ${row.route_type})`);
    }
    feed.routes.set(row.route_id!, { id: row.route_id!, shortName: row.route_short_name ?? '', longName: row.route_long_name ?? '', color: color ? `#${color.toLowerCase()}` : null, timezone: timezone! });
  });

  await read('calendar.txt', (row, refuse) => {
    const [start, end] = [gtfsDate(row.start_date), gtfsDate(row.end_date)];
    const dayChecks = weekdayColumns.map((day): [string, string | undefined] => [day, check.oneOf(row[day], ['0', '1'])]);
    if (!passes(refuse, [['service_id', check.required(row.service_id)], ...dayChecks, ['start_date', start ? undefined : `"${row.start_date ?? ''}" is not a date YYYYMMDD`], ['end_date', end ? undefined : `"${row.end_date ?? ''}" is not a date YYYYMMDD`]])) return;
    const weekdays = weekdayColumns.reduce((bits, day, index) => bits | (row[day] === '1' ? 1 << index : 0), 0);
    feed.services.set(row.service_id!, { id: row.service_id!, weekdays, startDate: start!, endDate: end! });
  }, true);
  await read('calendar_dates.txt', (row, refuse) => {
    const date = gtfsDate(row.date);
    if (!passes(refuse, [['service_id', check.required(row.service_id)], ['date', date ? undefined : `"${row.date ?? ''}" is not a date YYYYMMDD`], ['exception_type', check.oneOf(row.exception_type, ['1', '2'])]])) return;
    if (!feed.services.has(row.service_id!)) feed.services.set(row.service_id!, { id: row.service_id!, weekdays: 0, startDate: null, endDate: null });
    feed.serviceDates.push({ serviceId: row.service_id!, date: date!, added: row.exception_type === '1' });
  }, true);

  const shapePoints = new Map<string, [number, LonLat][]>();
  await read('shapes.txt', (row, refuse) => {
    if (!passes(refuse, [['shape_id', check.required(row.shape_id)], ['shape_pt_lat', check.number(row.shape_pt_lat, -90, 90)], ['shape_pt_lon', check.number(row.shape_pt_lon, -180, 180)], ['shape_pt_sequence', check.integer(row.shape_pt_sequence)]])) return;
    const points = shapePoints.get(row.shape_id!) ?? [];
    points.push([Number(row.shape_pt_sequence), toWgs84(crs, [Number(row.shape_pt_lon), Number(row.shape_pt_lat)])]);
    shapePoints.set(row.shape_id!, points);
  }, true);
  for (const [id, points] of shapePoints) {
    if (points.length >= 2) feed.shapes.set(id, points.sort((a, b) => a[0] - b[0]).map(([, at]) => at));
    else tally.skip('shapes.txt: a shape of fewer than two points (its trips follow their stops)');
  }

  const otherTrips = new Set<string>();
  await read('trips.txt', (row, refuse) => {
    if (otherModes.has(row.route_id ?? '')) {
      otherTrips.add(row.trip_id ?? '');
      return tally.skip('trips.txt: a trip of a route that is not a bus route');
    }
    const shape = row.shape_id ?? '';
    if (!passes(refuse, [['trip_id', check.required(row.trip_id)], ['route_id', feed.routes.has(row.route_id ?? '') ? undefined : `"${row.route_id ?? ''}" is no route in routes.txt`], ['service_id', feed.services.has(row.service_id ?? '') ? undefined : `"${row.service_id ?? ''}" is in neither calendar.txt nor calendar_dates.txt`], ['shape_id', shape === '' || feed.shapes.has(shape) || shapePoints.has(shape) ? undefined : `"${shape}" is no shape in shapes.txt`], ['direction_id', check.oneOf(row.direction_id ?? '', ['', '0', '1'])]])) return;
    feed.trips.set(row.trip_id!, { id: row.trip_id!, routeId: row.route_id!, serviceId: row.service_id!, shapeId: feed.shapes.has(shape) ? shape : null, direction: row.direction_id ? Number(row.direction_id) : null, headsign: row.trip_headsign || null });
  });

  await read('stop_times.txt', (row, refuse) => {
    const [arrival, departure] = [gtfsSeconds(row.arrival_time), gtfsSeconds(row.departure_time)];
    if (otherTrips.has(row.trip_id ?? '')) return tally.skip('stop_times.txt: a stop time of a route that is not a bus route');
    if (!passes(refuse, [['trip_id', feed.trips.has(row.trip_id ?? '') ? undefined : `"${row.trip_id ?? ''}" is no trip in trips.txt`], ['stop_id', feed.stops.has(row.stop_id ?? '') ? undefined : `"${row.stop_id ?? ''}" is no stop in stops.txt`], ['stop_sequence', check.integer(row.stop_sequence)], ['arrival_time', row.arrival_time && arrival === undefined ? `"${row.arrival_time}" is not a time H:MM:SS` : undefined], ['departure_time', row.departure_time && departure === undefined ? `"${row.departure_time}" is not a time H:MM:SS` : undefined]])) return;
    const times = feed.stopTimes.get(row.trip_id!) ?? [];
    times.push({ seq: Number(row.stop_sequence), stopId: row.stop_id!, arrivalS: arrival ?? departure ?? null, departureS: departure ?? arrival ?? null });
    feed.stopTimes.set(row.trip_id!, times);
  });

  await read('frequencies.txt', (row, refuse) => {
    const [start, end] = [gtfsSeconds(row.start_time), gtfsSeconds(row.end_time)];
    if (otherTrips.has(row.trip_id ?? '')) return tally.skip('frequencies.txt: a frequency of a route that is not a bus route');
    if (!passes(refuse, [['trip_id', feed.trips.has(row.trip_id ?? '') ? undefined : `"${row.trip_id ?? ''}" is no trip in trips.txt`], ['start_time', start === undefined ? `"${row.start_time ?? ''}" is not a time H:MM:SS` : undefined], ['end_time', end === undefined || end <= start! ? `"${row.end_time ?? ''}" is not a time H:MM:SS after start_time` : undefined], ['headway_secs', check.integer(row.headway_secs, 1)], ['exact_times', check.oneOf(row.exact_times ?? '', ['', '0', '1'])]])) return;
    feed.frequencies.push({ tripId: row.trip_id!, startS: start!, endS: end!, headwayS: Number(row.headway_secs), exactTimes: row.exact_times === '1' });
  }, true);
  return feed;
}
