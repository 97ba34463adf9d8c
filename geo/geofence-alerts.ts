import type { EntityKind } from './city-data.ts';
import { isoUtc } from './columns.ts';
import type { Queryable } from './database.ts';

export type GeofenceAlertState = 'new' | 'acknowledged' | 'assigned' | 'cleared';

export interface GeofenceAlert {
  id: number;
  geofenceId: number;
  geofenceName: string;
  entityId: string;
  entityLabel: string;
  entityKind: EntityKind;
  event: 'enter' | 'exit' | 'dwell';
  at: string;
  lon: number;
  lat: number;
  severity: number;
  state: GeofenceAlertState;
  assignedTo: string | null;
  version: number;
  /** How often the same crossing repeated within the cool-down, after the first. */
  repeats: number;
  /** When it last happened (`at` is the first time). */
  lastAt: string;
}

/**
 * A repeat of the same crossing (fence, entity, event) within this long of the last one, while its
 * alert is open, is counted on that alert rather than raised again; after a quiet spell it is news.
 */
const geofenceAlertCoolDownMinutes = 10;

/** An alert's columns (alert `a`, its fence `f`, entity `e`), what changes from `s`: the alert itself, or a row of its history. */
const alertColumns = (s: string) => `a.id::int AS id, a.geofence_id::int AS "geofenceId", f.name AS "geofenceName", a.entity_id AS "entityId", e.label AS "entityLabel",
  e.kind AS "entityKind", a.event, ${isoUtc('a.at')} AS at, ST_X(${s}.geom) AS lon, ST_Y(${s}.geom) AS lat, a.severity, ${s}.state, ${s}.assigned_to AS "assignedTo", ${s}.version,
  ${s}.repeats, ${isoUtc(`${s}.last_at`)} AS "lastAt"`;
export const geofenceAlertColumns = alertColumns('a');
/** An alert as it stood after one row `h` of geofence_alert_history (migration 0030), with `a`, `f` and `e` joined. */
export const pastGeofenceAlertColumns = alertColumns('h');

/** Alerts by id, or every one not cleared, newest first. */
export function listGeofenceAlerts(db: Queryable, ids?: readonly number[]): Promise<GeofenceAlert[]> {
  return db.query<GeofenceAlert>(
    `SELECT ${geofenceAlertColumns} FROM geofence_alerts a JOIN geofences f ON f.id = a.geofence_id JOIN entities e ON e.id = a.entity_id
      WHERE ${ids ? 'a.id = ANY($1::bigint[])' : `a.state <> 'cleared'`} ORDER BY a.id DESC LIMIT 1000`,
    ids ? [ids] : [],
  );
}

/**
 * The CTEs that raise alerts for `events` (rows of fence, entity, event), to follow other CTEs in
 * one WITH: a repeat folds into the open alert of its (fence, entity, event) within the cool-down,
 * the rest are inserted. The statement answers the id of every alert raised or folded into.
 */
export function raiseGeofenceAlertsSql(events: string): string {
  return `ev AS (SELECT ev.fence, ev.entity, ev.event, coalesce(e.updated_at, now()) AS at, e.geom FROM (${events}) ev JOIN entities e ON e.id = ev.entity),
     folded AS (
       UPDATE geofence_alerts a SET repeats = a.repeats + 1, last_at = ev.at, geom = ev.geom, version = a.version + 1, updated_at = now()
         FROM ev
        WHERE a.geofence_id = ev.fence AND a.entity_id = ev.entity AND a.event = ev.event AND a.state <> 'cleared'
          AND a.last_at >= ev.at - make_interval(mins => ${geofenceAlertCoolDownMinutes})
       RETURNING a.id, a.geofence_id, a.entity_id, a.event
     ),
     raised AS (
       INSERT INTO geofence_alerts (geofence_id, entity_id, event, at, last_at, geom, severity)
       SELECT ev.fence, ev.entity, ev.event, ev.at, ev.at, ev.geom, f.severity FROM ev JOIN geofences f ON f.id = ev.fence
        WHERE NOT EXISTS (SELECT 1 FROM folded WHERE folded.geofence_id = ev.fence AND folded.entity_id = ev.entity AND folded.event = ev.event)
       RETURNING id
     )
     SELECT id::int AS id FROM folded UNION SELECT id::int FROM raised`;
}

export const geofenceAlertActions = ['acknowledge', 'assign', 'clear'] as const;
export type GeofenceAlertAction = (typeof geofenceAlertActions)[number];

/** Acknowledges, assigns (to a user) or clears an alert; a cleared one stays cleared. Run it in a transaction. */
export async function changeGeofenceAlert(
  tx: Queryable,
  id: number,
  action: GeofenceAlertAction,
  assignTo: string | null,
): Promise<{ ok: true; before: GeofenceAlert; after: GeofenceAlert } | { ok: false; reason: 'not-found' | 'cleared' }> {
  const [before] = await listGeofenceAlerts(tx, [id]);
  if (!before) return { ok: false, reason: 'not-found' };
  if (before.state === 'cleared') return { ok: false, reason: 'cleared' };
  const state = { acknowledge: 'acknowledged', assign: 'assigned', clear: 'cleared' }[action];
  await tx.query(
    `UPDATE geofence_alerts SET state = $2, assigned_to = CASE WHEN $2 = 'assigned' THEN $3 ELSE assigned_to END, version = version + 1, updated_at = now() WHERE id = $1`,
    [id, state, assignTo],
  );
  return { ok: true, before, after: (await listGeofenceAlerts(tx, [id]))[0]! };
}

/** Which open alerts to clear at once: a fence's, an entity kind's, an event's, or where they meet. */
export interface GeofenceAlertFilter {
  geofenceId?: number;
  entityKind?: EntityKind;
  event?: GeofenceAlert['event'];
}

/** Clears every open alert the filter matches (at least one field must be set), answering them as cleared. */
export async function clearGeofenceAlerts(tx: Queryable, filter: GeofenceAlertFilter): Promise<GeofenceAlert[]> {
  if (filter.geofenceId === undefined && filter.entityKind === undefined && filter.event === undefined) throw new Error('clearGeofenceAlerts needs a filter');
  const rows = await tx.query<{ id: number }>(
    `UPDATE geofence_alerts a SET state = 'cleared', version = a.version + 1, updated_at = now()
      WHERE a.state <> 'cleared' AND ($1::bigint IS NULL OR a.geofence_id = $1) AND ($3::text IS NULL OR a.event = $3)
        AND ($2::text IS NULL OR EXISTS (SELECT 1 FROM entities e WHERE e.id = a.entity_id AND e.kind = $2))
      RETURNING a.id::int AS id`,
    [filter.geofenceId ?? null, filter.entityKind ?? null, filter.event ?? null],
  );
  return rows.length === 0 ? [] : listGeofenceAlerts(tx, rows.map((row) => row.id));
}
