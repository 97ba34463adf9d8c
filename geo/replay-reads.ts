// Whole-city replay (issue 21): the city as it was at a moment, and what changed in it between two
// moments, read from the tables that keep its past. Every read is by time window (indexes of
// migration 0028; position history by partition), so a replay never scans the whole past.
import { listAuditBetween, type AuditRecord } from './audit.ts';
import type { JoinedCameraEvent, SegmentTraffic } from './cameras.ts';
import type { EntityKind } from './city-data.ts';
import { epochMs, fromEpochMs, isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import { assignmentColumns, toAssignment, type Assignment, type AssignmentRow } from './dispatch.ts';
import { pastGeofenceAlertColumns, type GeofenceAlert } from './geofence-alerts.ts';
import { positionsAt } from './history-reads.ts';
import { incidentColumns, reportStatusOf, type Incident, type IncidentStatus } from './incidents.ts';
import type { LivePosition } from './positions.ts';
import { requestColumns, toServiceRequest, type ServiceRequest, type ServiceRequestRow } from './service-requests.ts';
import { cameraEventChanges, cameraEventsAt, trafficAt, trafficChanges } from './replay-traffic.ts';
import { listWarningsIssued, type Warning } from './warnings.ts';

/** Something that happened at `at` (epoch ms): the object as it was just after. */
export interface Past<T> {
  at: number;
  value: T;
}

/** What changed in the city after one moment up to another, each list oldest first. */
export interface CityChanges {
  /** Fixes as units reported them; status as the unit's now (history keeps none). */
  fixes: LivePosition[];
  /** Each transition of a case: the case as it stood after it. */
  incidents: Past<Incident>[];
  /** The same for the citizens' reports those cases came from, as the report stood after it. */
  reports: Past<ServiceRequest>[];
  /** Units sent, arrived, released: the assignment as it stood after each. */
  assignments: Past<Assignment>[];
  warnings: Past<Warning>[];
  geofenceAlerts: Past<GeofenceAlert>[];
  /** Segments' traffic as each received second's records moved it. */
  traffic: Past<SegmentTraffic>[];
  cameraEvents: Past<JoinedCameraEvent>[];
  /** What operators and dispatchers did (the audit log), as it was written. */
  audit: Past<AuditRecord>[];
}

/** The city at a moment: where each unit was, and what was going on. */
export interface CityAt {
  positions: LivePosition[];
  incidents: Incident[];
  reports: ServiceRequest[];
  assignments: Assignment[];
  warnings: Warning[];
  geofenceAlerts: GeofenceAlert[];
  traffic: SegmentTraffic[];
  cameraEvents: JoinedCameraEvent[];
  /** The latest lines of the audit log, oldest first. */
  audit: AuditRecord[];
}

/** How far back from the moment a replay's screen is shown finished cases, warnings and fence alerts, as the live screens show them. */
export const recentMs = 24 * 3_600_000;

const at = fromEpochMs;
// As many lines of the audit log as a screen lists beside the map.
const auditLinesShown = 30;

// A case as it stood after one row of its history (h): that row's status, note and time, and the
// version it had then (one more per change, as live).
const incidentAsOf = `${incidentColumns}, h.to_status AS "pastStatus", h.note AS "pastNote", ${isoUtc('h.at')} AS "pastAt", ${epochMs('h.at')} AS "pastMs",
  (SELECT count(*)::int FROM incident_history v WHERE v.incident_id = h.incident_id AND v.id <= h.id) AS "pastVersion",
  CASE WHEN i.supervised_at <= h.at THEN ${isoUtc('i.supervised_at')} END AS "pastSupervisedAt"`;
type IncidentAsOfRow = Incident & { pastStatus: IncidentStatus; pastNote: string | null; pastAt: string; pastMs: number; pastVersion: number; pastSupervisedAt: string | null };
const toPastIncident = ({ pastStatus, pastNote, pastAt, pastMs, pastVersion, pastSupervisedAt, ...incident }: IncidentAsOfRow): Past<Incident> => ({
  at: pastMs,
  value: { ...incident, status: pastStatus, statusNote: pastNote, updatedAt: pastAt, version: pastVersion, supervisedAt: pastSupervisedAt },
});
const alertHistoryJoins = 'geofence_alert_history h JOIN geofence_alerts a ON a.id = h.alert_id JOIN geofences f ON f.id = a.geofence_id JOIN entities e ON e.id = a.entity_id';
const incidentHistoryJoins = 'incident_history h JOIN incidents i ON i.id = h.incident_id JOIN incident_categories c ON c.code = i.category';

// A citizen's report as it stood after a row of its case's history (its status follows the case's, as live).
const reportAsOf = `${requestColumns}, h.to_status AS "pastStatus", h.note AS "pastNote", ${epochMs('h.at')} AS "pastMs"`;
const reportHistoryJoins = `incident_history h JOIN incidents i ON i.id = h.incident_id AND i.source = 'report'
  JOIN service_requests r ON r.id::text = i.source_ref JOIN services s ON s.code = r.service_code JOIN departments d ON d.id = r.department_id`;
type ReportAsOfRow = ServiceRequestRow & { pastStatus: IncidentStatus; pastNote: string | null; pastMs: number };
const toPastReport = ({ pastStatus, pastNote, pastMs, ...row }: ReportAsOfRow): Past<ServiceRequest> => ({
  at: pastMs,
  value: toServiceRequest({ ...row, status: reportStatusOf[pastStatus], statusNotes: pastNote, updatedMs: pastMs }),
});

// An assignment as it stood after each of its moments: sent (en route), arrived (on scene), released.
const assignmentMoments = `CROSS JOIN LATERAL (VALUES (a.assigned_at, 'en-route'), (a.arrived_at, 'on-scene'), (a.released_at, 'released')) m(at, status)`;
function toPastAssignment({ momentMs, momentStatus, ...row }: AssignmentRow & { momentMs: number; momentStatus: Assignment['status'] }): Past<Assignment> {
  const assignment = toAssignment(row);
  const before = (iso: string | null) => (iso !== null && Date.parse(iso) <= momentMs ? iso : null);
  // Where the unit is comes from the replayed positions, not from the unit's live state.
  return { at: momentMs, value: { ...assignment, status: momentStatus, arrivedAt: before(assignment.arrivedAt), releasedAt: before(assignment.releasedAt), lon: null, lat: null } };
}

/** Everything that changed after `fromMs` up to `toMs`, for units of `kinds`. */
export async function cityChanges(db: Queryable, fromMs: number, toMs: number, kinds: readonly EntityKind[]): Promise<CityChanges> {
  const window = [fromMs, toMs];
  const fixes = kinds.length === 0 ? [] : await db.query<LivePosition>(
    `SELECT h.entity_id AS id, e.kind, e.label, e.status, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat,
            h.heading_deg AS "headingDeg", h.speed_kmh AS "speedKmh", h.district_id AS "districtId", h.cell_id AS "cellId", ${epochMs('h.event_time')} AS "fixTime"
       FROM position_history h JOIN entities e ON e.id = h.entity_id
      WHERE h.event_time > ${at('$1')} AND h.event_time <= ${at('$2')} AND e.kind = ANY($3::text[])
      ORDER BY h.event_time, h.entity_id`,
    [...window, kinds],
  );
  const incidents = await db.query<IncidentAsOfRow>(
    `SELECT ${incidentAsOf} FROM ${incidentHistoryJoins} WHERE h.at > ${at('$1')} AND h.at <= ${at('$2')} ORDER BY h.at, h.id`,
    window,
  );
  const reports = await db.query<ReportAsOfRow>(`SELECT ${reportAsOf} FROM ${reportHistoryJoins} WHERE h.at > ${at('$1')} AND h.at <= ${at('$2')} ORDER BY h.at, h.id`, window);
  const assignments = await db.query<AssignmentRow & { momentMs: number; momentStatus: Assignment['status'] }>(
    `SELECT ${assignmentColumns}, ${epochMs('m.at')} AS "momentMs", m.status AS "momentStatus"
       FROM incident_assignments a JOIN entities e ON e.id = a.unit_id ${assignmentMoments}
      WHERE m.at > ${at('$1')} AND m.at <= ${at('$2')} ORDER BY m.at, a.id`,
    window,
  );
  const geofenceAlerts = await db.query<GeofenceAlert & { changedMs: number }>(
    `SELECT ${pastGeofenceAlertColumns}, ${epochMs('h.at')} AS "changedMs" FROM ${alertHistoryJoins} WHERE h.at > ${at('$1')} AND h.at <= ${at('$2')} ORDER BY h.at, h.id LIMIT 1000`,
    window,
  );
  const warnings = await listWarningsIssued(db, fromMs, toMs);
  return {
    fixes,
    incidents: incidents.map(toPastIncident),
    reports: reports.map(toPastReport),
    assignments: assignments.map(toPastAssignment),
    warnings: warnings.map((warning) => ({ at: Date.parse(warning.issuedAt), value: warning })),
    geofenceAlerts: geofenceAlerts.map(({ changedMs, ...alert }) => ({ at: changedMs, value: alert })),
    traffic: await trafficChanges(db, fromMs, toMs),
    cameraEvents: await cameraEventChanges(db, fromMs, toMs),
    audit: (await listAuditBetween(db, fromMs, toMs)).map((entry) => ({ at: Date.parse(entry.at), value: entry })),
  };
}

/** The city at `atMs`: units where they last reported (within 10 min), cases open then or finished in the day before, units on a case, recent warnings and fence alerts. */
export async function cityAt(db: Queryable, atMs: number, kinds: readonly EntityKind[]): Promise<CityAt> {
  const since = atMs - recentMs;
  // Each read stands alone: on PostgreSQL they run side by side on the pool (a seek waits for the slowest, not the sum).
  const [positions, incidents, reports, assignments, warnings, geofenceAlerts, traffic, cameraEvents, audit] = await Promise.all([
    unitsAt(db, atMs, kinds),
    db.query<IncidentAsOfRow>(
      `SELECT * FROM (SELECT DISTINCT ON (h.incident_id) ${incidentAsOf} FROM ${incidentHistoryJoins} WHERE h.at <= ${at('$1')} ORDER BY h.incident_id, h.at DESC, h.id DESC) s
        WHERE s."pastStatus" NOT IN ('closed', 'cancelled') OR s."pastMs" > $2 ORDER BY s."pastMs"`,
      [atMs, since],
    ),
    db.query<ReportAsOfRow>(
      `SELECT * FROM (SELECT DISTINCT ON (h.incident_id) ${reportAsOf} FROM ${reportHistoryJoins} WHERE h.at <= ${at('$1')} ORDER BY h.incident_id, h.at DESC, h.id DESC) s
        WHERE s."pastStatus" NOT IN ('closed', 'cancelled') OR s."pastMs" > $2 ORDER BY s."pastMs"`,
      [atMs, since],
    ),
    db.query<AssignmentRow & { momentMs: number; momentStatus: Assignment['status'] }>(
      `SELECT DISTINCT ON (a.id) ${assignmentColumns}, ${epochMs('m.at')} AS "momentMs", m.status AS "momentStatus"
         FROM incident_assignments a JOIN entities e ON e.id = a.unit_id ${assignmentMoments}
        WHERE a.assigned_at <= ${at('$1')} AND (a.released_at IS NULL OR a.released_at > ${at('$1')}) AND m.at <= ${at('$1')}
        ORDER BY a.id, m.at DESC`,
      [atMs],
    ),
    listWarningsIssued(db, since, atMs),
    // Each fence alert raised in the day before, as it stood then (the screens drop cleared ones), newest first.
    db.query<GeofenceAlert>(
      `SELECT * FROM (SELECT DISTINCT ON (h.alert_id) ${pastGeofenceAlertColumns} FROM ${alertHistoryJoins}
                       WHERE h.at <= ${at('$1')} AND a.at > ${at('$2')} ORDER BY h.alert_id, h.at DESC, h.id DESC) s ORDER BY s.id DESC LIMIT 1000`,
      [atMs, since],
    ),
    trafficAt(db, atMs),
    cameraEventsAt(db, atMs, since),
    listAuditBetween(db, since, atMs, auditLinesShown),
  ]);
  return {
    positions,
    incidents: incidents.map((row) => toPastIncident(row).value),
    reports: reports.map((row) => toPastReport(row).value),
    assignments: assignments.map((row) => toPastAssignment(row).value),
    warnings: warnings.reverse(),
    geofenceAlerts,
    traffic,
    cameraEvents,
    audit,
  };
}

/** Units where they last reported at `atMs`, with the status word they have now (history keeps none). */
async function unitsAt(db: Queryable, atMs: number, kinds: readonly EntityKind[]): Promise<LivePosition[]> {
  const positions = (await positionsAt(db, atMs, kinds)) as LivePosition[];
  const statuses = await db.query<{ id: string; status: string }>('SELECT id, status FROM entities WHERE id = ANY($1::text[])', [positions.map((unit) => unit.id)]);
  const statusOf = new Map(statuses.map((row) => [row.id, row.status]));
  for (const unit of positions) unit.status = statusOf.get(unit.id) ?? '';
  return positions;
}
