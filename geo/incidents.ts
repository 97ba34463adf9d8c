import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';
import type { ServiceRequest } from './service-requests.ts';

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
  source: 'report' | 'camera' | 'alarm' | 'bus' | 'call';
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

/** A kind of case: who answers it, its SLA and default severity. */
export interface IncidentCategory {
  code: string;
  nameZh: string;
  nameEn: string;
  agency: Incident['agency'];
  slaMinutes: number;
  severity: number;
}

export function listIncidentCategories(db: Queryable): Promise<IncidentCategory[]> {
  return db.query<IncidentCategory>(
    `SELECT code, name_zh AS "nameZh", name_en AS "nameEn", agency, sla_minutes AS "slaMinutes", severity FROM incident_categories ORDER BY agency, severity DESC, code`,
  );
}

// Read from incidents as "i" joined to its category as "c".
export const incidentColumns = `i.id::int AS id, i.source, i.source_ref AS "sourceRef", i.category, c.name_zh AS "categoryZh", c.name_en AS "categoryEn",
  c.agency, c.department_id AS "departmentId", i.severity, i.status, i.status_note AS "statusNote", i.description,
  ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, i.district_id AS "districtId", i.cell_id AS "cellId",
  ${isoUtc('i.reported_at')} AS "reportedAt", ${isoUtc('i.due_at')} AS "dueAt", ${isoUtc('i.updated_at')} AS "updatedAt", i.version,
  i.possible_duplicate_of::int AS "possibleDuplicateOf", i.duplicate_of::int AS "duplicateOf",
  CASE WHEN i.supervised_at IS NULL THEN NULL ELSE ${isoUtc('i.supervised_at')} END AS "supervisedAt"`;

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
export const reportStatusOf: Record<IncidentStatus, ServiceRequest['status']> = {
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
