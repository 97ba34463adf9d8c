import { positionEvent, type PositionEvent } from '../events.ts';
import { rejected, type Parsed } from '../rejections.ts';

/** One OsmAnd request as HTTP delivered it: query-string parameters and the parsed body, if any. */
export interface OsmandRequest {
  query: Record<string, unknown>;
  body: unknown;
}

const knotsToKmh = 1.852;
// Parameters with a meaning of their own; any other is kept as an attribute.
const numericParameters = ['lat', 'lon', 'speed', 'bearing', 'heading', 'altitude', 'accuracy', 'batt'] as const;
const knownParameters = new Set<string>(['id', 'deviceid', 'location', 'timestamp', ...numericParameters]);

/**
 * Parses the OsmAnd protocol as Traccar Client sends it: parameters in the query string or a form
 * body (speed in knots), or the JSON body of Traccar Client 9+ (speed in m/s). Does not know
 * which devices exist: the caller checks the id.
 */
export function parseOsmand(request: OsmandRequest, receivedAt: number, sourceId = 'osmand'): Parsed<PositionEvent> {
  const body = request.body;
  if (isRecord(body) && ('location' in body || 'device_id' in body)) return parseTraccarJson(body, receivedAt, sourceId);
  const params: Record<string, unknown> = { ...(isRecord(body) ? body : {}), ...request.query };
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
  const location = isRecord(body.location) ? body.location : undefined;
  const coords = location && isRecord(location.coords) ? location.coords : undefined;
  const entityId = body.device_id;
  if (typeof entityId !== 'string' && typeof entityId !== 'number') return rejected('malformed', 'missing device_id');
  if (!coords) return rejected('malformed', 'missing location.coords');
  const number = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : null);
  const [lat, lon] = [number(coords.latitude), number(coords.longitude)];
  if (lat === null || lon === null) return rejected('malformed', 'location.coords needs numeric latitude and longitude');
  const timestamp = location!.timestamp;
  const eventTime = parseTimestamp(timestamp === undefined ? undefined : String(timestamp), receivedAt);
  if (eventTime === undefined) return rejected('malformed', `location.timestamp "${String(timestamp)}" is not a time`);
  const speed = number(coords.speed);
  const heading = number(coords.heading);
  const battery = isRecord(location!.battery) ? location!.battery : isRecord(body.battery) ? body.battery : undefined;
  const attributes: Record<string, string | number | boolean> = {};
  if (number(coords.altitude) !== null) attributes.altitudeM = number(coords.altitude)!;
  if (battery && number(battery.level) !== null) attributes.batteryPct = Math.round(number(battery.level)! * 100);
  if (battery && typeof battery.is_charging === 'boolean') attributes.charging = battery.is_charging;
  if (typeof location!.is_moving === 'boolean') attributes.moving = location!.is_moving;
  if (number(location!.odometer) !== null) attributes.odometerM = number(location!.odometer)!;
  return validated({
    type: 'position',
    sourceId,
    entityId: String(entityId),
    lon,
    lat,
    headingDeg: heading === null || heading < 0 ? null : heading % 360,
    speedKmh: speed === null || speed < 0 ? null : round1(speed * 3.6),
    eventTime,
    receivedAt,
    accuracyM: number(coords.accuracy),
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
