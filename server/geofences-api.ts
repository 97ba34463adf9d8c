import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  appendAudit,
  changeGeofenceAlert,
  clearGeofenceAlerts,
  createGeofence,
  entityKinds,
  geofenceAlertActions,
  geofenceKinds,
  geofenceLimits,
  listGeofenceAlerts,
  listGeofences,
  removeGeofence,
  type Database,
  type GeofenceAlert,
} from '../geo/index.ts';
import type { Auth } from './auth.ts';
import { numericId, problemsOf } from './request-checks.ts';

const lonLat = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
const newFence = z
  .object({
    name: z.string().trim().min(1).max(64),
    kind: z.enum(geofenceKinds),
    polygon: z.array(lonLat).min(3).max(geofenceLimits.vertices + 1).optional(),
    unitId: z.string().min(1).max(64).optional(),
    routeId: z.string().min(1).max(64).optional(),
    radiusM: z.number().optional(),
    kinds: z.array(z.enum(entityKinds)).max(entityKinds.length).default([]),
    dwellMinutes: z.number().int().min(geofenceLimits.dwellMinutes[0]).max(geofenceLimits.dwellMinutes[1]).nullable().optional(),
    severity: z.number().int().min(1).max(4).default(2),
  })
  .strict()
  .refine((f) => f.kind !== 'area' || f.polygon, { message: 'an area needs polygon: [[lon, lat], …]' })
  .refine((f) => f.kind !== 'unit-radius' || f.unitId, { message: 'a unit radius needs unitId and radiusM' })
  .refine((f) => f.kind !== 'route-corridor' || f.routeId, { message: 'a route corridor needs routeId and radiusM' })
  .refine((f) => f.kind === 'route-corridor' || f.kinds.length > 0, { message: 'say which kinds to watch: kinds: ["taxi", …]' });
const alertChange = z.object({ action: z.enum(geofenceAlertActions), assignTo: z.string().min(1).max(64).optional() }).strict();
const bulkClear = z
  .object({ geofenceId: z.number().int().positive().optional(), entityKind: z.enum(entityKinds).optional(), event: z.enum(['enter', 'exit', 'dwell']).optional() })
  .strict()
  .refine((filter) => Object.keys(filter).length > 0, { message: 'say which alerts: geofenceId, entityKind and/or event' });

/** Geofences drawn by dispatchers, and the alerts they raise: acknowledged, assigned and cleared by people, audited. */
export function geofencesApi(db: () => Database, auth: Auth, pushAlerts: (alerts: GeofenceAlert[]) => void): Record<'list' | 'create' | 'remove' | 'alerts' | 'changeAlert' | 'clearAlerts', RequestHandler> {
  const actorOf = (res: Parameters<RequestHandler>[1]) => auth.signedInOf(res)!.session.user.id;
  return {
    list: async (_req, res) => void res.json(await listGeofences(db())),
    create: async (req, res) => {
      const body = newFence.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: `${problemsOf(body.error)}; send {name, kind: area | unit-radius | route-corridor, polygon | unitId | routeId, radiusM, kinds, dwellMinutes?, severity?}` });
      const actor = actorOf(res);
      const result = await db().transaction(async (tx) => {
        const created = await createGeofence(tx, { ...body.data, createdBy: actor });
        if (created.ok) await appendAudit(tx, { actor, action: 'geofence-created', objectType: 'geofence', objectId: String(created.geofence.id), after: body.data, client: auth.clientOf(req) });
        return created;
      });
      if (!result.ok) return void res.status(422).json({ error: result.problem });
      res.status(201).json(result.geofence);
    },
    remove: async (req, res) => {
      const id = numericId(req.params.id);
      const actor = actorOf(res);
      const removed =
        id === undefined
          ? undefined
          : await db().transaction(async (tx) => {
              const gone = await removeGeofence(tx, id);
              if (gone) {
                const before = { name: gone.fence.name, kind: gone.fence.kind };
                await appendAudit(tx, { actor, action: 'geofence-removed', objectType: 'geofence', objectId: String(id), before, after: { alertsCleared: gone.cleared.length }, client: auth.clientOf(req) });
              }
              return gone;
            });
      if (!removed) return void res.status(404).json({ error: `no active geofence "${String(req.params.id)}"; GET /api/geofences lists them` });
      // The fence's alerts go with it, on every screen.
      if (removed.cleared.length > 0) pushAlerts(removed.cleared);
      res.json(removed.fence);
    },
    alerts: async (_req, res) => void res.json(await listGeofenceAlerts(db())),
    changeAlert: async (req, res) => {
      const id = numericId(req.params.id);
      const body = alertChange.safeParse(req.body);
      if (!body.success || (body.data.action === 'assign') !== (body.data.assignTo !== undefined)) {
        return void res.status(400).json({ error: 'send {"action": "acknowledge" | "clear"} or {"action": "assign", "assignTo": "<user id>"}' });
      }
      const actor = actorOf(res);
      const result =
        id === undefined
          ? ({ ok: false, reason: 'not-found' } as const)
          : await db().transaction(async (tx) => {
              const done = await changeGeofenceAlert(tx, id, body.data.action, body.data.assignTo ?? null);
              if (done.ok) {
                const state = (alert: GeofenceAlert) => ({ state: alert.state, assignedTo: alert.assignedTo, version: alert.version });
                await appendAudit(tx, { actor, action: `geofence-alert-${body.data.action}`, objectType: 'geofence-alert', objectId: String(id), before: state(done.before), after: state(done.after), client: auth.clientOf(req) });
              }
              return done;
            });
      if (!result.ok) {
        return void res.status(result.reason === 'cleared' ? 409 : 404).json({ error: result.reason === 'cleared' ? 'the alert is already cleared' : `no geofence alert "${String(req.params.id)}"; GET /api/geofence-alerts lists them` });
      }
      pushAlerts([result.after]);
      res.json(result.after);
    },
    /** POST /api/geofence-alerts/clear: every open alert of a fence, an entity kind or an event, in one audited step. */
    clearAlerts: async (req, res) => {
      const filter = bulkClear.safeParse(req.body);
      if (!filter.success) return void res.status(400).json({ error: `${problemsOf(filter.error)}; send {"geofenceId"?, "entityKind"?, "event"?: "enter" | "exit" | "dwell"} with at least one` });
      const actor = actorOf(res);
      const cleared = await db().transaction(async (tx) => {
        const alerts = await clearGeofenceAlerts(tx, filter.data);
        await appendAudit(tx, { actor, action: 'geofence-alerts-cleared', objectType: 'geofence-alert', objectId: alerts.map((alert) => alert.id).join(',').slice(0, 200) || '-', after: { ...filter.data, count: alerts.length }, client: auth.clientOf(req) });
        return alerts;
      });
      if (cleared.length > 0) pushAlerts(cleared);
      res.json({ cleared });
    },
  };
}
