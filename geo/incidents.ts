import { isoUtc, toColumns } from './columns.ts';
import { busBunching } from './buses.ts';
import { locateInCellAndDistrict } from './positions.ts';
import type { Queryable } from './database.ts';

export const incidentStatuses = ['reported', 'registered', 'dispatched', 'handling', 'answered', 'closed', 'cancelled'] as const;
export type IncidentStatus = (typeof incidentStatuses)[number];

/**
 * Where each status may go next: the "444" flow — registered (登记), dispatched (批转), handling
 * (办理), answered (反馈), closed — with cancel before work starts, a dispatch taken back, and
 * reopening a closed or cancelled case.
 */
export const incidentTransitions: Record<IncidentStatus, readonly IncidentStatus[]> = {
  reported: ['registered', 'cancelled'],
  registered: ['dispatched', 'cancelled'],
  dispatched: ['handling', 'registered', 'cancelled'],
  handling: ['answered'],
  answered: ['closed', 'handling'],
  closed: ['registered'],
  cancelled: ['registered'],
};

export interface Incident {
  id: number;
  source: 'report' | 'camera' | 'alarm' | 'bus';
  /** The report's or the camera event's id, or the call centre's case number. */
  sourceRef: string;
  category: string;
  categoryZh: string;
  categoryEn: string;
  /** Who is sent: police units, grid inspectors, the fire brigade, or the bus operator. */
  agency: 'police' | 'city' | 'fire' | 'transit';
  departmentId: string;
  severity: number;
  status: IncidentStatus;
  statusNote: string | null;
  /** Free text from the public or from analytics: shown as text, never as HTML. */
  description: string;
  lon: number;
  lat: number;
  districtId: string | null;
  cellId: string | null;
  reportedAt: string;
  /** When the category's SLA runs out. */
  dueAt: string;
  updatedAt: string;
  version: number;
  /** An open incident of the same category this one is probably a repeat of (see duplicateWindow). */
  possibleDuplicateOf: number | null;
  /** The incident this one was merged into. */
  duplicateOf: number | null;
  /** When the case was found past its SLA and raised for supervision (督办); null while on time. */
  supervisedAt: string | null;
}

/** How near, and how soon after an open incident of the same category, a new one is proposed as its duplicate. */
export const duplicateWindow = { metres: 200, hours: 24 };

export interface IncidentHistoryEntry {
  at: string;
  actor: string;
  fromStatus: IncidentStatus | null;
  toStatus: IncidentStatus;
  note: string | null;
}

// Read from incidents as "i" joined to its category as "c".
const incidentColumns = `i.id::int AS id, i.source, i.source_ref AS "sourceRef", i.category, c.name_zh AS "categoryZh", c.name_en AS "categoryEn",
  c.agency, c.department_id AS "departmentId", i.severity, i.status, i.status_note AS "statusNote", i.description,
  ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.district_id AS "districtId", i.cell_id AS "cellId",
  ${isoUtc('i.reported_at')} AS "reportedAt", ${isoUtc('i.due_at')} AS "dueAt", ${isoUtc('i.updated_at')} AS "updatedAt", i.version,
  i.possible_duplicate_of::int AS "possibleDuplicateOf", i.duplicate_of::int AS "duplicateOf",
  CASE WHEN i.supervised_at IS NULL THEN NULL ELSE ${isoUtc('i.supervised_at')} END AS "supervisedAt"`;

/**
 * Opens an incident per source item not seen before, with its first history line, and answers
 * the new incidents. `rows` is a SELECT giving source_ref, category, severity, description, geom,
 * district_id, cell_id and reported_at for the items.
 */
async function openIncidents(db: Queryable, source: Incident['source'], status: IncidentStatus, note: string, rows: string, params: unknown[]): Promise<Incident[]> {
  // `rows` uses the first parameters; source, status and note follow them.
  const [sourceAt, statusAt, noteAt] = [1, 2, 3].map((offset) => `$${params.length + offset}::text`);
  return db.query<Incident>(
    `WITH items AS (${rows}),
     created AS (
       INSERT INTO incidents (source, source_ref, category, severity, status, status_note, description, geom, district_id, cell_id, reported_at, due_at, updated_at, possible_duplicate_of)
       SELECT ${sourceAt}, items.source_ref, items.category, items.severity, ${statusAt}, ${noteAt}, items.description, items.geom, items.district_id, items.cell_id,
              items.reported_at, items.reported_at + c.sla_minutes * interval '1 minute', now(), earlier.id
       FROM items JOIN incident_categories c ON c.code = items.category
       -- The nearest open incident of the category within the duplicate window, if any.
       LEFT JOIN LATERAL (
         SELECT o.id FROM incidents o
         WHERE o.category = items.category AND o.status NOT IN ('closed', 'cancelled')
           AND o.reported_at BETWEEN items.reported_at - ${duplicateWindow.hours} * interval '1 hour' AND items.reported_at
           AND ST_DWithin(o.geom::geography, items.geom::geography, ${duplicateWindow.metres})
         ORDER BY o.geom <-> items.geom LIMIT 1
       ) earlier ON true
       ON CONFLICT (source, source_ref) DO NOTHING
       RETURNING *
     ),
     history AS (INSERT INTO incident_history (incident_id, actor, to_status, note) SELECT id, 'system', status, status_note FROM created)
     SELECT ${incidentColumns} FROM created i JOIN incident_categories c ON c.code = i.category ORDER BY i.id`,
    [...params, source, status, note],
  );
}

/** Citizens' and inspectors' reports become registered incidents (the 444 line registers every call). */
export function openIncidentsFromReports(db: Queryable, reportIds: readonly number[]): Promise<Incident[]> {
  return openIncidents(
    db,
    'report',
    'registered',
    'registered on arrival',
    `SELECT r.id::text AS source_ref, r.service_code AS category, c.severity, r.description, r.geom, r.district_id, r.cell_id, r.requested_at AS reported_at
     FROM service_requests r JOIN incident_categories c ON c.code = r.service_code WHERE r.id = ANY($1::bigint[])`,
    [reportIds],
  );
}

/** Camera events of an incident kind (accident, wrong-way, stopped vehicle) become reported incidents, for a person to confirm. */
export function openIncidentsFromCameraEvents(db: Queryable, eventIds: readonly number[]): Promise<Incident[]> {
  if (eventIds.length === 0) return Promise.resolve([]);
  return openIncidents(
    db,
    'camera',
    'reported',
    'seen by a camera',
    `SELECT e.id::text AS source_ref, e.kind AS category, e.severity, e.description, e.geom, e.district_id, e.cell_id, e.event_time AS reported_at
     FROM camera_events e WHERE e.id = ANY($1::bigint[]) AND e.geom IS NOT NULL`,
    [eventIds],
  );
}

/** A call to 110, 122 or 119, as the call centre registered it. */
export interface AlarmCall {
  alarmId: string;
  line: string;
  category: string;
  lon: number;
  lat: number;
  address: string | null;
  description: string;
  eventTime: number;
}

/** An alarm's incident source_ref: the line and the call centre's case number. */
export const alarmSourceRef = (call: Pick<AlarmCall, 'line' | 'alarmId'>) => `${call.line}:${call.alarmId}`;

/** Emergency calls become registered incidents (the call centre registered them); a case number seen before opens nothing. */
export function openIncidentsFromAlarms(db: Queryable, calls: readonly AlarmCall[]): Promise<Incident[]> {
  if (calls.length === 0) return Promise.resolve([]);
  return openIncidents(
    db,
    'alarm',
    'registered',
    'registered by the call centre',
    `SELECT a.ref AS source_ref, 'alarm-' || a.category AS category, c.severity,
            CASE WHEN a.address IS NULL THEN a.description ELSE a.address || ' · ' || a.description END AS description,
            p.geom, ${locateInCellAndDistrict('p.geom')}, to_timestamp(a.at_ms / 1000.0) AS reported_at
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[]) AS a(ref, category, address, description, lon, lat, at_ms)
     JOIN incident_categories c ON c.code = 'alarm-' || a.category,
     LATERAL (SELECT ST_SetSRID(ST_MakePoint(a.lon, a.lat), 4326) AS geom) p`,
    toColumns(calls, alarmSourceRef, (call) => call.category, (call) => call.address, (call) => call.description, (call) => call.lon, (call) => call.lat, (call) => call.eventTime),
  );
}

/**
 * When a bus's lateness opens a case, and when it is back on time (the gap keeps a bus hovering
 * at the limit from opening and cancelling cases every tick), s.
 */
export const busLateness = { openAboveS: 15 * 60, clearBelowS: 10 * 60 };

/**
 * For the buses of a tick: a trip running later than `busLateness.openAboveS`, or two buses
 * bunched for `busBunching.sustainedS`, opens a reported case for the bus operator (once per trip, or per pair of trips);
 * open bus cases whose bus is back on time, or apart, are cancelled. Run it in the tick's
 * transaction after the buses' progress is updated.
 */
export async function reviewBusIncidents(tx: Queryable, busIds: readonly string[]): Promise<Incident[]> {
  if (busIds.length === 0) return [];
  const opened = await openIncidents(
    tx,
    'bus',
    'reported',
    'seen in the bus feed',
    `SELECT 'delay:' || p.trip_id AS source_ref, 'bus-delay' AS category, 1 AS severity,
            e.label || ' 晚点 ' || round(p.delay_s / 60.0) || ' 分钟 · ' || round(p.delay_s / 60.0) || ' min late' AS description,
            e.geom, e.district_id, e.cell_id, p.updated_at AS reported_at
     FROM bus_progress p JOIN entities e ON e.id = p.entity_id
     WHERE p.entity_id = ANY($1::text[]) AND p.trip_id IS NOT NULL AND p.delay_s > $2
     UNION ALL
     SELECT 'bunching:' || least(p.trip_id, q.trip_id) || '|' || greatest(p.trip_id, q.trip_id), 'bus-bunching', 1,
            e.label || ' 与 ' || f.label || ' 串车 · bunched', e.geom, e.district_id, e.cell_id, p.updated_at
     FROM bus_progress p JOIN bus_progress q ON q.entity_id = p.bunched_with JOIN entities e ON e.id = p.entity_id JOIN entities f ON f.id = q.entity_id
     WHERE p.entity_id = ANY($1::text[]) AND p.trip_id IS NOT NULL AND q.trip_id IS NOT NULL AND p.trip_id < q.trip_id
       AND p.bunched_since <= p.updated_at - make_interval(secs => $3)`,
    [busIds, busLateness.openAboveS, busBunching.sustainedS],
  );
  const settled = await tx.query<{ id: number }>(
    `SELECT i.id::int AS id FROM incidents i
     WHERE i.source = 'bus' AND i.status IN ('reported', 'registered') AND NOT (
       (i.category = 'bus-delay' AND EXISTS (SELECT 1 FROM bus_progress p WHERE 'delay:' || p.trip_id = i.source_ref AND p.delay_s >= $1))
       OR (i.category = 'bus-bunching' AND EXISTS (
         SELECT 1 FROM bus_progress p JOIN bus_progress q ON q.entity_id = p.bunched_with
         WHERE 'bunching:' || least(p.trip_id, q.trip_id) || '|' || greatest(p.trip_id, q.trip_id) = i.source_ref)))`,
    [busLateness.clearBelowS],
  );
  const cancelled: Incident[] = [];
  for (const { id } of settled) {
    const done = await transitionIncident(tx, id, { to: 'cancelled', actor: 'system', note: 'cleared by itself: the bus is back on time, apart, or off that trip' });
    if (done.ok) cancelled.push(done.after);
  }
  return [...opened, ...cancelled];
}

export interface IncidentQuery {
  /** Open (neither closed nor cancelled), finished, or both. */
  open?: boolean;
  ids?: readonly number[];
  limit: number;
}

/** The queue: most severe first, then the soonest due. */
export async function listIncidents(db: Queryable, query: IncidentQuery): Promise<Incident[]> {
  return db.query<Incident>(
    `SELECT ${incidentColumns} FROM incidents i JOIN incident_categories c ON c.code = i.category
     WHERE ($1::boolean IS NULL OR (i.status NOT IN ('closed', 'cancelled')) = $1) AND ($2::bigint[] IS NULL OR i.id = ANY($2::bigint[]))
     ORDER BY i.severity DESC, i.due_at, i.id LIMIT $3`,
    [query.open ?? null, query.ids ?? null, query.limit],
  );
}

export async function readIncidentHistory(db: Queryable, incidentId: number): Promise<IncidentHistoryEntry[]> {
  return db.query<IncidentHistoryEntry>(
    `SELECT ${isoUtc('at')} AS at, actor, from_status AS "fromStatus", to_status AS "toStatus", note FROM incident_history WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
}

// A report's Open311 lifecycle follows its incident's.
const reportStatusOf: Record<IncidentStatus, string> = {
  reported: 'registered',
  registered: 'registered',
  dispatched: 'dispatched',
  handling: 'handled',
  answered: 'answered',
  closed: 'closed',
  cancelled: 'closed',
};

export type TransitionResult =
  | { ok: true; before: Incident; after: Incident }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; from: IncidentStatus; allowed: readonly IncidentStatus[] };

/**
 * Moves an incident on by one step of its lifecycle, by an actor with a note, and writes the
 * history line; a report's Open311 status and status_notes follow. Run it in a transaction.
 */
export async function transitionIncident(tx: Queryable, id: number, change: { to: IncidentStatus; actor: string; note: string | null }): Promise<TransitionResult> {
  const [before] = await tx.query<Incident>(
    `SELECT ${incidentColumns} FROM incidents i JOIN incident_categories c ON c.code = i.category WHERE i.id = $1 FOR UPDATE OF i`,
    [id],
  );
  if (!before) return { ok: false, reason: 'not-found' };
  const allowed = incidentTransitions[before.status];
  if (!allowed.includes(change.to)) return { ok: false, reason: 'not-allowed', from: before.status, allowed };
  const [after] = await tx.query<Incident>(
    `WITH moved AS (
       UPDATE incidents SET status = $2, status_note = $3, updated_at = now(), version = version + 1 WHERE id = $1 RETURNING *
     ),
     history AS (INSERT INTO incident_history (incident_id, actor, from_status, to_status, note) SELECT id, $4, $5, status, status_note FROM moved),
     report AS (
       UPDATE service_requests r SET status = $6, status_notes = $3, updated_at = now()
       FROM moved WHERE moved.source = 'report' AND r.id = moved.source_ref::bigint
     )
     SELECT ${incidentColumns} FROM moved i JOIN incident_categories c ON c.code = i.category`,
    [id, change.to, change.note, change.actor, before.status, reportStatusOf[change.to]],
  );
  return { ok: true, before, after: after! };
}

export type MergeResult = TransitionResult | { ok: false; reason: 'same-incident' | 'target-not-found' };

/**
 * Merges a duplicate into the incident it repeats: the duplicate is cancelled with a note naming
 * the other, and remembers it. Only a case not yet being handled can be merged. Run it in a transaction.
 */
export async function mergeIncident(tx: Queryable, id: number, into: number, actor: string): Promise<MergeResult> {
  if (id === into) return { ok: false, reason: 'same-incident' };
  const [target] = await tx.query(`SELECT 1 FROM incidents WHERE id = $1`, [into]);
  if (!target) return { ok: false, reason: 'target-not-found' };
  const cancelled = await transitionIncident(tx, id, { to: 'cancelled', actor, note: `duplicate of #${into}` });
  if (!cancelled.ok) return cancelled;
  await tx.query(`UPDATE incidents SET duplicate_of = $2 WHERE id = $1`, [id, into]);
  return { ...cancelled, after: { ...cancelled.after, duplicateOf: into } };
}

/** Everything that happened near an incident: the question a dispatcher asks first. */
export interface NearbyActivity {
  incidents: (Pick<Incident, 'id' | 'category' | 'categoryZh' | 'categoryEn' | 'status' | 'severity' | 'reportedAt' | 'lon' | 'lat'> & { distanceM: number })[];
  cameraEvents: { id: number; cameraId: string; kind: string; severity: number; description: string; at: string; distanceM: number }[];
  /** Units that passed within the radius in the window: their closest fix. */
  units: { id: string; kind: string; label: string; at: string; distanceM: number }[];
}

/**
 * Every incident (reports included), camera event and unit within `radiusM` of a point and
 * `minutes` either side of a time, nearest first, from PostGIS. `kinds` limits the units to
 * those the asker may see.
 */
export async function findNearby(db: Queryable, around: { lon: number; lat: number; at: number; radiusM: number; minutes: number; excludeIncident?: number; kinds: readonly string[] }): Promise<NearbyActivity> {
  const params = [around.lon, around.lat, around.at, around.radiusM, around.minutes];
  // $1 lon, $2 lat, $3 time (epoch ms), $4 radius m, $5 minutes either side.
  const here = `ST_SetSRID(ST_MakePoint($1, $2), 4326)`;
  const within = (column: string) => `ST_DWithin(${column}::geography, ${here}::geography, $4)`;
  const during = (column: string) => `${column} BETWEEN to_timestamp($3 / 1000.0) - $5 * interval '1 minute' AND to_timestamp($3 / 1000.0) + $5 * interval '1 minute'`;
  const distance = (column: string) => `ST_Distance(${column}::geography, ${here}::geography)::float8`;
  const [incidents, cameraEvents, units] = await Promise.all([
    db.query<NearbyActivity['incidents'][number]>(
      `SELECT i.id::int AS id, i.category, c.name_zh AS "categoryZh", c.name_en AS "categoryEn", i.status, i.severity, ${isoUtc('i.reported_at')} AS "reportedAt",
              ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, ${distance('i.geom')} AS "distanceM"
       FROM incidents i JOIN incident_categories c ON c.code = i.category
       WHERE ${within('i.geom')} AND ${during('i.reported_at')} AND i.id IS DISTINCT FROM $6::bigint
       ORDER BY "distanceM", i.id LIMIT 100`,
      [...params, around.excludeIncident ?? null],
    ),
    db.query<NearbyActivity['cameraEvents'][number]>(
      `SELECT e.id::int AS id, e.camera_id AS "cameraId", e.kind, e.severity, e.description, ${isoUtc('e.event_time')} AS at, ${distance('e.geom')} AS "distanceM"
       FROM camera_events e WHERE ${within('e.geom')} AND ${during('e.event_time')}
       ORDER BY "distanceM", e.id LIMIT 100`,
      params,
    ),
    db.query<NearbyActivity['units'][number]>(
      `SELECT DISTINCT ON (h.entity_id) h.entity_id AS id, en.kind, en.label, ${isoUtc('h.event_time')} AS at, ${distance('h.geom')} AS "distanceM"
       FROM position_history h JOIN entities en ON en.id = h.entity_id
       WHERE ${within('h.geom')} AND ${during('h.event_time')} AND en.kind = ANY($6::text[])
       ORDER BY h.entity_id, "distanceM"`,
      [...params, around.kinds],
    ),
  ]);
  return { incidents, cameraEvents, units: units.sort((a, b) => a.distanceM - b.distanceM).slice(0, 100) };
}

/**
 * 督办: marks every open case past its SLA that is not marked yet (answered cases wait only for
 * closing, so they are left alone), with a history line, and answers them. Run it on a timer.
 */
export async function superviseOverdue(db: Queryable): Promise<Incident[]> {
  return db.query<Incident>(
    `WITH marked AS (
       UPDATE incidents SET supervised_at = now(), version = version + 1
       WHERE supervised_at IS NULL AND due_at < now() AND status NOT IN ('answered', 'closed', 'cancelled')
       RETURNING *
     ),
     history AS (INSERT INTO incident_history (incident_id, actor, from_status, to_status, note) SELECT id, 'system', status, status, 'overdue: raised for supervision (督办)' FROM marked)
     SELECT ${incidentColumns} FROM marked i JOIN incident_categories c ON c.code = i.category ORDER BY i.id`,
  );
}
