import type { RequestHandler } from 'express';
import { z } from 'zod';
import { appendAudit, incidentStatuses, listIncidents, listServiceRequests, readIncidentHistory, transitionIncident, type Database, type Incident, type ServiceRequest } from '../geo/index.ts';
import type { Auth } from './auth.ts';

const queueQuery = z.object({
  status: z.enum(['open', 'finished', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
const transition = z.object({ to: z.enum(incidentStatuses), note: z.string().trim().max(1_000).refine((note) => !note.includes('\u0000'), 'holds a NUL character').optional() }).strict();
const incidentId = (raw: unknown) => (typeof raw === 'string' && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined);

/** The incident queue and the case lifecycle; every step goes to the history and the audit log, and out to the screens. */
export function incidentsApi(
  db: () => Database,
  auth: Auth,
  changed: (incidents: Incident[], reports: ServiceRequest[]) => void,
): Record<'queue' | 'one' | 'transition', RequestHandler> {
  return {
    queue: async (req, res) => {
      const query = queueQuery.safeParse(req.query);
      if (!query.success) return void res.status(400).json({ error: 'status is open, finished or all; limit is 1–1000' });
      const open = query.data.status === 'all' ? undefined : query.data.status === 'open';
      res.json(await listIncidents(db(), { open, limit: query.data.limit }));
    },
    one: async (req, res) => {
      const id = incidentId(req.params.id);
      const [incident] = id === undefined ? [] : await listIncidents(db(), { ids: [id], limit: 1 });
      if (!incident) return void res.status(404).json({ error: `no incident "${req.params.id}"; GET /api/incidents lists them` });
      res.json({ ...incident, history: await readIncidentHistory(db(), incident.id) });
    },
    transition: async (req, res) => {
      const id = incidentId(req.params.id);
      const body = transition.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: `send {"to": one of ${incidentStatuses.join(', ')}, "note": "…"}` });
      const actor = auth.signedInOf(res)!.session.user.id;
      const note = body.data.note || null;
      const result =
        id === undefined
          ? ({ ok: false, reason: 'not-found' } as const)
          : await db().transaction(async (tx) => {
              const moved = await transitionIncident(tx, id, { to: body.data.to, actor, note });
              if (moved.ok) {
                const state = (incident: Incident) => ({ status: incident.status, note: incident.statusNote, version: incident.version });
                await appendAudit(tx, { actor, action: 'incident-transition', objectType: 'incident', objectId: String(id), before: state(moved.before), after: state(moved.after), client: auth.clientOf(req) });
              }
              return moved;
            });
      if (!result.ok && result.reason === 'not-found') return void res.status(404).json({ error: `no incident "${req.params.id}"; GET /api/incidents lists them` });
      if (!result.ok) {
        return void res.status(409).json({ error: `a ${result.from} incident can go to ${result.allowed.join(' or ')}, not ${body.data.to}; reload it if someone else moved it` });
      }
      const reports = result.after.source === 'report' ? await listServiceRequests(db(), { ids: [Number(result.after.sourceRef)], serviceCodes: null, start: 0, end: Date.now(), statuses: null, limit: 1 }) : [];
      changed([result.after], reports);
      res.json(result.after);
    },
  };
}
