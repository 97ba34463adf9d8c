import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { gridEvent, type GridEvent } from '../events.ts';
import { firstIssue, rejected, type Parsed } from '../rejections.ts';

// Open311 GeoReport v2 (wiki.open311.org/GeoReport_v2): the wire shapes, described for OpenAPI.
const optionalText = z.string().optional();
export const open311RequestForm = z.object({
  api_key: optionalText.describe('the application key issued for this client'),
  service_code: z.string().describe('from services.json'),
  lat: optionalText.describe('WGS-84 latitude; with long, or give address_string'),
  long: optionalText.describe('WGS-84 longitude'),
  address_string: optionalText.describe('a crossing, stop or road name in the city, e.g. 昆仑路·天山街'),
  description: optionalText.describe('what is wrong, up to 4,000 characters'),
  media_url: optionalText.describe('a photo of it'),
  email: optionalText,
  first_name: optionalText,
  last_name: optionalText,
  phone: optionalText,
  device_id: optionalText.describe("the reporting app's device id; an inspector's unit id marks a patrol report"),
  account_id: optionalText,
});
export const open311RequestsQuery = z.object({
  service_request_id: optionalText.describe('comma-separated ids'),
  service_code: optionalText.describe('comma-separated service codes'),
  start_date: optionalText.describe('ISO 8601; default 90 days ago'),
  end_date: optionalText.describe('ISO 8601; default now'),
  status: optionalText.describe('open, closed, or both comma-separated'),
});

export interface ServiceRequestFilters {
  ids: number[] | null;
  serviceCodes: string[] | null;
  start: number;
  end: number;
  statuses: ('open' | 'closed')[] | null;
}

const list = (value: string | undefined) => (value ? value.split(',').map((part) => part.trim()).filter(Boolean) : null);

/**
 * A POST requests.json form to a grid event. `isInspector` tells a patrol report (device_id is an
 * inspector's unit id) from a citizen's. The caller places it in the city.
 */
export function parseOpen311Request(form: unknown, receivedAt: number, isInspector: (id: string) => boolean): Parsed<GridEvent> {
  const wire = open311RequestForm.safeParse(form ?? {});
  if (!wire.success) return rejected('malformed', firstIssue(wire.error, 'request').replace(/^service_code: .*/, 'service_code is required'));
  const f = wire.data;
  if ((f.lat === undefined) !== (f.long === undefined)) return rejected('malformed', 'lat and long go together');
  if (f.lat === undefined && !f.address_string) return rejected('malformed', 'a location is required: lat and long, or address_string');
  const [lat, lon] = [f.lat === undefined ? null : Number(f.lat), f.long === undefined ? null : Number(f.long)];
  if (Number.isNaN(lat) || Number.isNaN(lon)) return rejected('malformed', 'lat and long must be numbers');
  const reporterId = f.device_id ?? f.account_id ?? null;
  const contact = Object.fromEntries(
    Object.entries({ firstName: f.first_name, lastName: f.last_name, email: f.email, phone: f.phone }).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = gridEvent.safeParse({
    type: 'grid-event',
    sourceId: 'open311',
    token: randomUUID(),
    eventTime: receivedAt,
    receivedAt,
    serviceCode: f.service_code,
    description: f.description ?? '',
    lon,
    lat,
    address: f.address_string ?? null,
    mediaUrl: f.media_url || null,
    reporter: f.device_id && isInspector(f.device_id) ? 'inspector' : 'citizen',
    reporterId,
    contact,
  });
  if (parsed.success) return { ok: true, value: parsed.data };
  const message = firstIssue(parsed.error, 'request');
  return rejected(/^(lat|lon):/.test(message) ? 'out-of-range' : 'malformed', message.replace(/^lon:/, 'long:').replace(/^mediaUrl:/, 'media_url:').replace(/^contact\./, ''));
}

const dayMs = 86_400_000;
// 2026-11-22, 2026-11-22T08:00, 2026-11-22T08:00:00.000+08:00 …
const isoDate = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** GET requests.json's filters; by default the last 90 days, as the spec suggests. */
export function parseOpen311Filters(query: unknown, now: number): Parsed<ServiceRequestFilters> {
  const wire = open311RequestsQuery.safeParse(query ?? {});
  if (!wire.success) return rejected('malformed', firstIssue(wire.error, 'request'));
  const q = wire.data;
  const date = (name: string, value: string | undefined, fallback: number): number | string => {
    if (value === undefined) return fallback;
    // ISO 8601 only: Date.parse alone reads a year out of text like "' OR '1'='1".
    const parsed = isoDate.test(value) ? Date.parse(value) : Number.NaN;
    return Number.isNaN(parsed) ? `${name} "${value}" is not an ISO 8601 date` : parsed;
  };
  const end = date('end_date', q.end_date, now);
  const start = date('start_date', q.start_date, (typeof end === 'number' ? end : now) - 90 * dayMs);
  if (typeof start === 'string') return rejected('malformed', start);
  if (typeof end === 'string') return rejected('malformed', end);
  const ids = list(q.service_request_id);
  if (ids?.some((id) => !/^\d{1,15}$/.test(id))) return rejected('malformed', 'service_request_id: ids are whole numbers');
  const statuses = list(q.status);
  if (statuses?.some((status) => status !== 'open' && status !== 'closed')) return rejected('malformed', 'status: open, closed, or both');
  return { ok: true, value: { ids: ids && ids.map(Number), serviceCodes: list(q.service_code), start, end, statuses: statuses as ('open' | 'closed')[] | null } };
}
