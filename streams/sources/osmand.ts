import { z } from 'zod';
import { positionEvent, type PositionEvent } from '../events.ts';
import { rejected, type Parsed } from '../rejections.ts';

/** One OsmAnd request as HTTP delivered it: query-string parameters and the parsed body, if any. */
export interface OsmandRequest {
  query: Record<string, unknown>;
  body: unknown;
}

const knotsToKmh = 1.852;
const numericParameters = ['lat', 'lon', 'speed', 'bearing', 'heading', 'altitude', 'accuracy', 'batt'] as const;

/** OsmAnd parameters (query string or form body); any other parameter is kept as an attribute. */
export const osmandParameters = z
  .object({
    id: z.string().optional().describe('device id: the unit id in /api/entities (or give deviceid)'),
    deviceid: z.string().optional(),
    lat: z.string().optional().describe('WGS-84 latitude'),
    lon: z.string().optional().describe('WGS-84 longitude'),
    location: z.string().optional().describe('"lat,lon", instead of lat and lon'),
    timestamp: z.string().optional().describe('seconds or milliseconds since 1970, or ISO 8601; default now'),
    speed: z.string().optional().describe('knots'),
    bearing: z.string().optional().describe('degrees from north (or heading)'),
    heading: z.string().optional(),
    altitude: z.string().optional().describe('m'),
    accuracy: z.string().optional().describe('m'),
    batt: z.string().optional().describe('battery, %'),
  })
  .catchall(z.unknown());
const knownParameters = new Set<string>(Object.keys(osmandParameters.shape));

/** Traccar Client 9+'s JSON body (the parts read). */
export const traccarClientBody = z.object({
  device_id: z.union([z.string(), z.number()]),
  location: z.object({
    timestamp: z.union([z.string(), z.number()]).optional(),
    coords: z.object({ latitude: z.number(), longitude: z.number(), speed: z.number().optional().describe('m/s'), heading: z.number().optional(), accuracy: z.number().optional(), altitude: z.number().optional() }),
    battery: z.object({ level: z.number().optional().describe('0–1'), is_charging: z.boolean().optional() }).optional(),
    is_moving: z.boolean().optional(),
    odometer: z.number().optional(),
  }),
});

/**
 * Parses the OsmAnd protocol as Traccar Client sends it: parameters in the query string or a form
 * body (speed in knots), or the JSON body of Traccar Client 9+ (speed in m/s). Does not know
 * which devices exist: the caller checks the id.
 */
export function parseOsmand(request: OsmandRequest, receivedAt: number, sourceId = 'osmand'): Parsed<PositionEvent> {
  const body = request.body;
  if (isRecord(body) && ('location' in body || 'device_id' in body)) return parseTraccarJson(body, receivedAt, sourceId);
  const wire = osmandParameters.safeParse({ ...(isRecord(body) ? body : {}), ...request.query });
  if (!wire.success) {
    const issue = wire.error.issues[0]!;
    return rejected('malformed', `${issue.path.join('.')}: given more than once or not as text`);
  }
  const params = wire.data;
  const text = (name: string) => (typeof params[name] === 'string' && params[name] !== '' ? (params[name] as string) : undefined);

  const entityId = text('id') ?? text('deviceid');
  if (!entityId) return rejected('malformed', 'missing id (or deviceid): the device identifier');
  let [lat, lon] = [text('lat'), text('lon')];
  if ((!lat || !lon) && text('location')) [lat, lon] = text('location')!.split(',');
  if (!lat || !lon) return rejected('malformed', 'missing lat and lon (or location=lat,lon)');
  const eventTime = parseTimestamp(text('timestamp'), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `timestamp "${text('timestamp')}" is not seconds, milliseconds or ISO 8601 time`);

  const numbers = {} as Record<(typeof numericParameters)[number], number | null>;
  for (const name of numericParameters) {
    const raw = name === 'lat' ? lat : name === 'lon' ? lon : text(name);
    const value = raw === undefined ? null : Number(raw);
    if (value !== null && !Number.isFinite(value)) return rejected('malformed', `${name}="${raw}" is not a number`);
    numbers[name] = value;
  }
  const attributes: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(params)) {
    if (knownParameters.has(key) || typeof value !== 'string') continue;
    attributes[key] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  if (numbers.altitude !== null) attributes.altitudeM = numbers.altitude;
  if (numbers.batt !== null) attributes.batteryPct = numbers.batt;
  const heading = numbers.bearing ?? numbers.heading;
  return validated(
    {
      type: 'position',
      sourceId,
      entityId,
      lon: numbers.lon ?? Number.NaN,
      lat: numbers.lat ?? Number.NaN,
      headingDeg: heading === null || heading < 0 ? null : heading % 360,
      speedKmh: numbers.speed === null || numbers.speed < 0 ? null : round1(numbers.speed * knotsToKmh),
      eventTime,
      receivedAt,
      accuracyM: numbers.accuracy,
      attributes,
    },
  );
}

/** Traccar Client 9+: `{device_id, location: {timestamp, coords: {latitude, longitude, speed m/s, heading, accuracy, altitude}, battery}}`. */
function parseTraccarJson(body: Record<string, unknown>, receivedAt: number, sourceId: string): Parsed<PositionEvent> {
  const wire = traccarClientBody.safeParse(body);
  if (!wire.success) {
    const path = wire.error.issues[0]!.path.join('.');
    if (path === 'device_id') return rejected('malformed', 'missing device_id');
    if (path === 'location.coords') return rejected('malformed', 'missing location.coords');
    return rejected('malformed', /^location\.coords\.l/.test(path) ? 'location.coords needs numeric latitude and longitude' : `${path}: ${wire.error.issues[0]!.message}`);
  }
  const { device_id: entityId, location } = wire.data;
  const { coords, battery } = location;
  const eventTime = parseTimestamp(location.timestamp === undefined ? undefined : String(location.timestamp), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `location.timestamp "${String(location.timestamp)}" is not a time`);
  const attributes: Record<string, string | number | boolean> = {};
  if (coords.altitude !== undefined) attributes.altitudeM = coords.altitude;
  if (battery?.level !== undefined) attributes.batteryPct = Math.round(battery.level * 100);
  if (battery?.is_charging !== undefined) attributes.charging = battery.is_charging;
  if (location.is_moving !== undefined) attributes.moving = location.is_moving;
  if (location.odometer !== undefined) attributes.odometerM = location.odometer;
  return validated({
    type: 'position',
    sourceId,
    entityId: String(entityId),
    lon: coords.longitude,
    lat: coords.latitude,
    headingDeg: coords.heading === undefined || coords.heading < 0 ? null : coords.heading % 360,
    speedKmh: coords.speed === undefined || coords.speed < 0 ? null : round1(coords.speed * 3.6),
    eventTime,
    receivedAt,
    accuracyM: coords.accuracy ?? null,
    attributes,
  });
}

function validated(candidate: PositionEvent): Parsed<PositionEvent> {
  const result = positionEvent.safeParse(candidate);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  const field = issue.path.join('.');
  return rejected(['lat', 'lon', 'speedKmh', 'headingDeg'].includes(field) ? 'out-of-range' : 'malformed', `${field}: ${issue.message}`);
}

/**
 * Seconds or milliseconds since 1970 (told apart by size), or ISO 8601 / "yyyy-MM-dd HH:mm:ss"
 * text (UTC unless a zone is given). No timestamp means "now", as Traccar takes it.
 */
export function parseTimestamp(text: string | undefined, now: number): number | undefined {
  if (text === undefined || text === '') return now;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const value = Number(text);
    return Math.round(value >= 1e11 ? value : value * 1000);
  }
  const iso = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text) ? `${text.replace(' ', 'T')}Z` : text;
  const parsed = Date.parse(iso);
  return Number.isNaN(parsed) ? undefined : parsed;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
