// Where incidents come from: reports, camera events, alarms, and late or bunched buses.
import { isoUtc, toColumns } from './columns.ts';
import { busBunching } from './buses.ts';
import type { Queryable } from './database.ts';
import { duplicateWindow, incidentColumns, transitionIncident, type Incident, type IncidentStatus } from './incidents.ts';
import { locateInCellAndDistrict } from './positions.ts';

/**
 * Opens an incident per source item not seen before, with its first history line, and answers
 * the new incidents. `rows` is a SELECT giving source_ref, category, severity, description, geom,
 * district_id, cell_id and reported_at for the items.
 */
async function openIncidents(db: Queryable, source: Incident['source'], status: IncidentStatus, note: string, rows: string, params: unknown[], actor = "'system'"): Promise<Incident[]> {
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
     -- Who opened it: the row's actor (a dispatcher who took a call), else the system.
     history AS (INSERT INTO incident_history (incident_id, actor, to_status, note)
                 SELECT created.id, (SELECT ${actor} FROM items WHERE items.source_ref = created.source_ref LIMIT 1), created.status, created.status_note FROM created)
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

/** The incident each alarm (or call) opened, by its source_ref (`alarmSourceRef`, `callSourceRef`), for those that opened one. */
export async function findAlarmIncidents(db: Queryable, refs: readonly string[], source: 'alarm' | 'call' = 'alarm'): Promise<Map<string, number>> {
  if (refs.length === 0) return new Map();
  const rows = await db.query<{ ref: string; id: number }>(`SELECT source_ref AS ref, id::int AS id FROM incidents WHERE source = $2 AND source_ref = ANY($1::text[])`, [refs, source]);
  return new Map(rows.map((row) => [row.ref, row.id]));
}

/** A phone call entered as a case (see the `call` event). */
export interface PhoneCall {
  sourceId: string;
  callId: string;
  line: string | null;
  callerPhone: string;
  category: string;
  severity: number | null;
  lon: number;
  lat: number;
  place: string | null;
  description: string;
  takenBy: string;
  eventTime: number;
}

/** A call's incident source_ref: where it was taken and its number there. */
export const callSourceRef = (call: Pick<PhoneCall, 'sourceId' | 'callId'>) => `${call.sourceId}:${call.callId}`;

/**
 * Calls become registered incidents (a person took them), kept with the call: caller, line, who
 * took it. A call number seen before opens nothing; an unknown category opens nothing either
 * (the route checks categories before the call is published).
 */
export async function openIncidentsFromCalls(db: Queryable, calls: readonly PhoneCall[]): Promise<Incident[]> {
  if (calls.length === 0) return [];
  const columns = toColumns(calls, callSourceRef, (c) => c.category, (c) => c.severity, (c) => c.place, (c) => c.description, (c) => c.lon, (c) => c.lat, (c) => c.eventTime, (c) => c.takenBy);
  const opened = await openIncidents(
    db,
    'call',
    'registered',
    'registered from a phone call',
    `SELECT a.ref AS source_ref, a.category, coalesce(a.severity, c.severity) AS severity,
            CASE WHEN a.place IS NULL THEN a.description ELSE a.place || ' · ' || a.description END AS description,
            p.geom, ${locateInCellAndDistrict('p.geom')}, to_timestamp(a.at_ms / 1000.0) AS reported_at, a.taken_by AS actor
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[]) AS a(ref, category, severity, place, description, lon, lat, at_ms, taken_by)
     JOIN incident_categories c ON c.code = a.category,
     LATERAL (SELECT ST_SetSRID(ST_MakePoint(a.lon, a.lat), 4326) AS geom) p`,
    columns,
    'items.actor',
  );
  await db.query(
    `INSERT INTO calls (incident_id, ref, line, caller_phone, place, taken_by, received_at)
     SELECT i.id, a.ref, a.line, a.phone, a.place, a.taken_by, to_timestamp(a.at_ms / 1000.0)
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[]) AS a(ref, line, phone, place, taken_by, at_ms)
     JOIN incidents i ON i.source = 'call' AND i.source_ref = a.ref
     ON CONFLICT DO NOTHING`,
    toColumns(calls, callSourceRef, (c) => c.line, (c) => c.callerPhone, (c) => c.place, (c) => c.takenBy, (c) => c.eventTime),
  );
  return opened;
}

/** The call a case was opened from: who called, on which line, who took it. */
export interface CallRecord {
  line: string | null;
  callerPhone: string;
  place: string | null;
  takenBy: string;
  receivedAt: string;
}

export async function readCall(db: Queryable, incidentId: number): Promise<CallRecord | undefined> {
  const [call] = await db.query<CallRecord>(
    `SELECT line, caller_phone AS "callerPhone", place, taken_by AS "takenBy", ${isoUtc('received_at')} AS "receivedAt" FROM calls WHERE incident_id = $1`,
    [incidentId],
  );
  return call;
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
