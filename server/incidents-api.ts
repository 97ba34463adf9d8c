import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  appendAudit,
  findNearby,
  incidentStatuses,
  incidentTransitions,
  listIncidents,
  listIncidentCategories,
  readCall,
  reportsOfIncidents,
  mergeIncident,
  readIncidentHistory,
  transitionIncident,
  type Database,
  type Incident,
  type Queryable,
  type ServiceRequest,
  type TransitionResult,
  type Assignment,
} from '../geo/index.ts';
import type { Auth } from './auth.ts';
import { numericId } from './request-checks.ts';
import type { Dispatch } from './dispatch.ts';
import { can, policeKinds, visibleKinds } from './permissions.ts';

const queueQuery = z.object({
  status: z.enum(['open', 'finished', 'all']).default('open'),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});
const transition = z.object({ to: z.enum(incidentStatuses), note: z.string().trim().max(1_000).refine((note) => !note.includes('\u0000'), 'holds a NUL character').optional() }).strict();
const merge = z.object({ into: z.number().int().positive() }).strict();
// "What else happened near here": a street to a district, an hour to a day either side.
const nearbyQuery = z.object({
  radius: z.coerce.number().int().min(10).max(5_000).default(500),
  minutes: z.coerce.number().int().min(1).max(1_440).default(60),
});
/** 13812345678 → 138****5678: enough to tell calls apart, not to call back. */
export const maskPhone = (phone: string) => (phone.length > 7 ? `${phone.slice(0, 3)}${'*'.repeat(phone.length - 7)}${phone.slice(-4)}` : '*'.repeat(phone.length));
export const incidentNotFound = (res: Parameters<RequestHandler>[1], raw: unknown) => void res.status(404).json({ error: `no incident "${String(raw)}"; GET /api/incidents lists them` });
/** The incident a path names, or undefined. */
export async function incidentNamed(db: Queryable, raw: unknown): Promise<Incident | undefined> {
  const id = numericId(raw);
  return id === undefined ? undefined : (await listIncidents(db, { ids: [id], limit: 1 }))[0];
}

/** The incident queue and the case lifecycle; every step goes to the history and the audit log, and out to the screens. */
export function incidentsApi(
  db: () => Database,
  auth: Auth,
  changed: (incidents: Incident[], reports: ServiceRequest[]) => void,
  dispatch: Pick<Dispatch, 'releaseFor' | 'released'>,
): Record<'queue' | 'categories' | 'one' | 'transition' | 'merge' | 'nearby', RequestHandler> {
  const notFound = incidentNotFound;
  /** Runs a change of one incident with its audit line in one transaction, then answers and pushes it. */
  const change = async (
    req: Parameters<RequestHandler>[0],
    res: Parameters<RequestHandler>[1],
    action: string,
    wanted: string,
    work: (tx: Queryable, id: number, actor: string) => Promise<TransitionResult | { ok: false; reason: string }>,
  ) => {
    const id = numericId(req.params.id);
    if (id === undefined) return notFound(res, req.params.id);
    const actor = auth.signedInOf(res)!.session.user.id;
    let released: Assignment[] = [];
    const result = await db().transaction(async (tx) => {
      const done = await work(tx, id, actor);
      if (done.ok) {
        released = await dispatch.releaseFor(tx, done.after);
        const state = (incident: Incident) => ({ status: incident.status, note: incident.statusNote, version: incident.version, duplicateOf: incident.duplicateOf });
        const units = released.length > 0 ? { releasedUnits: released.map((a) => a.unitId) } : {};
        await appendAudit(tx, { actor, action, objectType: 'incident', objectId: String(id), before: state(done.before), after: { ...state(done.after), ...units }, client: auth.clientOf(req) });
      }
      return done;
    });
    await dispatch.released(released);
    if (!result.ok) {
      if (result.reason === 'not-found') return notFound(res, req.params.id);
      if ('allowed' in result) return void res.status(409).json({ error: `a ${result.from} incident can go to ${result.allowed.join(' or ')}, not ${wanted}; reload it if someone else moved it` });
      return void res.status(400).json({ error: result.reason === 'same-incident' ? 'an incident cannot be merged into itself' : 'the incident to merge into does not exist' });
    }
    changed([result.after], await reportsOfIncidents(db(), [result.after]));
    res.json(result.after);
  };
  const incidentOf = (raw: unknown) => incidentNamed(db(), raw);
  return {
    queue: async (req, res) => {
      const query = queueQuery.safeParse(req.query);
      if (!query.success) return void res.status(400).json({ error: 'status is open, finished or all; limit is 1–1000' });
      const open = query.data.status === 'all' ? undefined : query.data.status === 'open';
      res.json(await listIncidents(db(), { open, limit: query.data.limit }));
    },
    categories: async (_req, res) => void res.json(await listIncidentCategories(db())),
    one: async (req, res) => {
      const incident = await incidentOf(req.params.id);
      if (!incident) return notFound(res, req.params.id);
      // The caller's number is for those who work the case; others see that there was a call.
      const call = incident.source === 'call' ? await readCall(db(), incident.id) : undefined;
      const shownCall = call && !can(auth.signedInOf(res)!.session.user, 'incidents:write') ? { ...call, callerPhone: maskPhone(call.callerPhone) } : call;
      // The steps the flow allows from here, so a console offers only those.
      res.json({ ...incident, history: await readIncidentHistory(db(), incident.id), next: incidentTransitions[incident.status], ...(shownCall ? { call: shownCall } : {}) });
    },
    transition: async (req, res) => {
      const body = transition.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: `send {"to": one of ${incidentStatuses.join(', ')}, "note": "…"}` });
      await change(req, res, 'incident-transition', body.data.to, (tx, id, actor) => transitionIncident(tx, id, { to: body.data.to, actor, note: body.data.note || null }));
    },
    merge: async (req, res) => {
      const body = merge.safeParse(req.body);
      if (!body.success) return void res.status(400).json({ error: 'send {"into": <the id of the incident this one repeats>}' });
      await change(req, res, 'incident-merged', 'cancelled (merged)', (tx, id, actor) => mergeIncident(tx, id, body.data.into, actor));
    },
    nearby: async (req, res) => {
      const query = nearbyQuery.safeParse(req.query);
      if (!query.success) return void res.status(400).json({ error: 'radius is 10–5000 m and minutes 1–1440 (either side of the incident)' });
      const incident = await incidentOf(req.params.id);
      if (!incident) return notFound(res, req.params.id);
      const kinds = visibleKinds(auth.signedInOf(res)!.session.user);
      const [at, spanMs] = [Date.parse(incident.reportedAt), query.data.minutes * 60_000];
      const nearby = await findNearby(db(), { lon: incident.lon, lat: incident.lat, from: at - spanMs, to: at + spanMs, radiusM: query.data.radius, excludeIncident: incident.id, kinds });
      await auth.auditPoliceReads(req, res, nearby.units.filter((unit) => (policeKinds as readonly string[]).includes(unit.kind)).map((unit) => unit.id), 'GET /api/incidents/:id/nearby');
      res.json(nearby);
    },
  };
}
