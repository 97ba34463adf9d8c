import type { Queryable } from './database.ts';
import type { LonLat } from './local-frame.ts';
import { locateInCellAndDistrict } from './positions.ts';

export interface Service {
  code: string;
  groupCode: string;
  nameZh: string;
  nameEn: string;
  groupZh: string;
  groupEn: string;
  descriptionZh: string;
  descriptionEn: string;
  keywords: string;
  departmentId: string;
}

export async function listServices(db: Queryable): Promise<Service[]> {
  return db.query<Service>(
    `SELECT code, group_code AS "groupCode", name_zh AS "nameZh", name_en AS "nameEn", group_zh AS "groupZh", group_en AS "groupEn",
            description_zh AS "descriptionZh", description_en AS "descriptionEn", keywords, department_id AS "departmentId"
     FROM services ORDER BY group_code, code`,
  );
}

/**
 * Finds an address in the city: a crossing or stop by its name (e.g. 昆仑路·天山街), or a road by
 * its name (its middle). Case and spacing do not matter. Undefined when nothing matches.
 */
export async function locateAddress(db: Queryable, address: string): Promise<LonLat | undefined> {
  const rows = await db.query<{ lon: number; lat: number }>(
    `WITH wanted AS (SELECT lower(regexp_replace($1, '\\s+', '', 'g')) AS name),
     places AS (
       SELECT geom, name_zh, name_en FROM camera_sites
       UNION ALL SELECT geom, name_zh, name_en FROM bus_stops
       UNION ALL SELECT ST_LineInterpolatePoint(ST_LineMerge(ST_Collect(s.geom)), 0.5), r.name_zh, r.name_en
                 FROM roads r JOIN road_segments s ON s.road_id = r.id GROUP BY r.id HAVING ST_GeometryType(ST_LineMerge(ST_Collect(s.geom))) = 'ST_LineString'
     )
     SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM places, wanted
     WHERE lower(regexp_replace(name_zh, '\\s+', '', 'g')) IN (wanted.name, wanted.name || '站')
        OR lower(regexp_replace(name_en, '\\s+', '', 'g')) = wanted.name
     LIMIT 1`,
    [address],
  );
  return rows[0] && [rows[0].lon, rows[0].lat];
}

export interface NewServiceRequest {
  serviceCode: string;
  description: string;
  mediaUrl: string | null;
  address: string | null;
  reporter: 'citizen' | 'inspector';
  reporterId: string | null;
  contact: Record<string, string>;
  sourceId: string;
  at: LonLat;
  requestedAt: number;
  /** Where given, the report registers once under it however often it is applied. */
  token?: string;
}

export interface ServiceRequest {
  id: number;
  serviceCode: string;
  serviceNameZh: string;
  serviceNameEn: string;
  status: 'registered' | 'dispatched' | 'handled' | 'answered' | 'closed';
  statusNotes: string | null;
  description: string;
  mediaUrl: string | null;
  address: string | null;
  reporter: 'citizen' | 'inspector';
  lon: number;
  lat: number;
  districtId: string | null;
  cellId: string | null;
  departmentId: string;
  departmentZh: string;
  departmentEn: string;
  requestedAt: string;
  updatedAt: string;
}

// Public columns only: contact details stay with the handling department.
export const requestColumns = `r.id::float8 AS id, r.service_code AS "serviceCode", s.name_zh AS "serviceNameZh", s.name_en AS "serviceNameEn",
  r.status, r.status_notes AS "statusNotes", r.description, r.media_url AS "mediaUrl", r.address, r.reporter, ST_X(r.geom) AS lon, ST_Y(r.geom) AS lat,
  r.district_id AS "districtId", r.cell_id AS "cellId", r.department_id AS "departmentId", d.name_zh AS "departmentZh", d.name_en AS "departmentEn",
  extract(epoch FROM r.requested_at) * 1000 AS "requestedMs", extract(epoch FROM r.updated_at) * 1000 AS "updatedMs"`;
export type ServiceRequestRow = Omit<ServiceRequest, 'requestedAt' | 'updatedAt'> & { requestedMs: number | string; updatedMs: number | string };
const iso = (ms: number | string) => new Date(Math.round(Number(ms))).toISOString();
export const toServiceRequest = ({ requestedMs, updatedMs, ...row }: ServiceRequestRow): ServiceRequest => ({ ...row, id: Number(row.id), requestedAt: iso(requestedMs), updatedAt: iso(updatedMs) });

/**
 * Registers a report, placed in its grid cell and district and given to the service's department,
 * in one statement. 'unknown-service' or 'outside-city' when it cannot be. A token registered
 * before answers the request it registered.
 */
export async function createServiceRequest(db: Queryable, request: NewServiceRequest): Promise<ServiceRequest | 'unknown-service' | 'outside-city'> {
  const rows = await db.query<ServiceRequestRow>(
    `WITH input AS (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS geom, to_timestamp($11::float8 / 1000) AS at),
     placed AS (SELECT input.*, located.* FROM input, LATERAL (SELECT ${locateInCellAndDistrict('input.geom')}) AS located),
     r AS (
       INSERT INTO service_requests (service_code, description, media_url, address, reporter, reporter_id, contact, source_id, geom, district_id, cell_id, department_id, requested_at, updated_at, token)
       SELECT s.code, $4, $5, $6, $7, $8, $9::jsonb, $10, p.geom, p.district_id, p.cell_id, s.department_id, p.at, p.at, $12::uuid
       FROM placed p JOIN services s ON s.code = $3
       WHERE p.district_id IS NOT NULL
       ON CONFLICT (token) DO NOTHING
       RETURNING *
     )
     SELECT ${requestColumns} FROM r JOIN services s ON s.code = r.service_code JOIN departments d ON d.id = r.department_id`,
    [request.at[0], request.at[1], request.serviceCode, request.description, request.mediaUrl, request.address, request.reporter, request.reporterId, JSON.stringify(request.contact), request.sourceId, request.requestedAt, request.token ?? null],
  );
  if (rows[0]) return toServiceRequest(rows[0]);
  const registered = request.token === undefined ? undefined : await findServiceRequestByToken(db, request.token);
  if (registered) return registered;
  const known = await db.query('SELECT 1 FROM services WHERE code = $1', [request.serviceCode]);
  return known.length > 0 ? 'outside-city' : 'unknown-service';
}

export interface ServiceRequestQuery {
  ids: number[] | null;
  serviceCodes: string[] | null;
  start: number;
  end: number;
  /** Open311's two states: open is anything before closed. */
  statuses: ('open' | 'closed')[] | null;
  limit: number;
}

export async function listServiceRequests(db: Queryable, query: ServiceRequestQuery): Promise<ServiceRequest[]> {
  const rows = await db.query<ServiceRequestRow>(
    `SELECT ${requestColumns} FROM service_requests r JOIN services s ON s.code = r.service_code JOIN departments d ON d.id = r.department_id
     WHERE ($1::bigint[] IS NULL OR r.id = ANY($1::bigint[]))
       AND ($2::text[] IS NULL OR r.service_code = ANY($2::text[]))
       AND ($1::bigint[] IS NOT NULL OR r.requested_at BETWEEN to_timestamp($3::float8 / 1000) AND to_timestamp($4::float8 / 1000))
       AND ($5::text[] IS NULL OR (CASE WHEN r.status = 'closed' THEN 'closed' ELSE 'open' END) = ANY($5::text[]))
     ORDER BY r.requested_at DESC, r.id DESC LIMIT $6`,
    [query.ids, query.serviceCodes, query.start, query.end, query.statuses, query.limit],
  );
  return rows.map(toServiceRequest);
}

/** The request registered under a report's token, if it has been. */
export async function findServiceRequestByToken(db: Queryable, token: string): Promise<ServiceRequest | undefined> {
  const rows = await db.query<ServiceRequestRow>(
    `SELECT ${requestColumns} FROM service_requests r JOIN services s ON s.code = r.service_code JOIN departments d ON d.id = r.department_id WHERE r.token = $1::uuid`,
    [token],
  );
  return rows[0] && toServiceRequest(rows[0]);
}

/** The citizens' reports cases came from: a case from a report moves it too (its status follows the case's). */
export async function reportsOfIncidents(db: Queryable, incidents: readonly { source: string; sourceRef: string }[]): Promise<ServiceRequest[]> {
  const ids = incidents.filter((incident) => incident.source === 'report').map((incident) => incident.sourceRef);
  if (ids.length === 0) return [];
  const rows = await db.query<ServiceRequestRow>(
    `SELECT ${requestColumns} FROM service_requests r JOIN services s ON s.code = r.service_code JOIN departments d ON d.id = r.department_id WHERE r.id::text = ANY($1::text[]) ORDER BY r.id`,
    [ids],
  );
  return rows.map(toServiceRequest);
}
