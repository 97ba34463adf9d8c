import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  appendAudit,
  assignUnit,
  findCandidates,
  listAssignments,
  listIncidents,
  readForceDistribution,
  listFleet,
  releaseAssignments,
  travelModeOf,
  unitKindsOf,
  type Assignment,
  type Database,
  type EntityKind,
  type Incident,
  type LonLat,
  type Queryable,
  type RoadRouter,
  type SegmentTraffic,
} from '../geo/index.ts';
import type { CityTick, LiveAssignment } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import { incidentNamed, incidentNotFound } from './incidents-api.ts';
import { crossingsOf, easeEta, type ShownEta } from './live-eta.ts';
import { numericId } from './request-checks.ts';

/** A case going back to the queue, or done with, lets its units go. */
export const releasingStatuses: readonly Incident['status'][] = ['registered', 'answered', 'closed', 'cancelled'];

const assignBody = z.object({ unitId: z.string().min(1).max(64) }).strict();

export interface DispatchEvents {
  incidents: (incidents: Incident[]) => void;
  assignments: (assignments: LiveAssignment[]) => void;
}

/**
 * Dispatch: candidates by road ETA, sending a unit, and following it. Units en route are kept
 * here, so each position tick re-routes only the ones that moved and pushes their live ETA.
 */
export function createDispatch(db: () => Database, router: () => RoadRouter, auth: Auth, push: DispatchEvents) {
  // Each unit en route: where it is sent, and the live ETA shown last (eased; see live-eta.ts).
  const enRoute = new Map<string, { incident: LonLat; shown?: ShownEta }>();
  const live = (assignment: Assignment): LiveAssignment => {
    const following = enRoute.get(assignment.unitId);
    if (assignment.status !== 'en-route' || !following || assignment.lon === null || assignment.lat === null) return { ...assignment, liveEtaS: null };
    const [route] = router().routesTo(following.incident, [[assignment.lon, assignment.lat]], travelModeOf(assignment.unitKind));
    if (!route) return { ...assignment, liveEtaS: null };
    following.shown = easeEta(following.shown, { etaS: route.seconds, crossings: crossingsOf(route.line) }, Date.now());
    return { ...assignment, route: route.line, liveEtaS: Math.round(following.shown.etaS) };
  };
  const follow = async (assignments: readonly Assignment[]) => {
    if (assignments.length === 0) return;
    const incidents = await listIncidents(db(), { ids: [...new Set(assignments.map((a) => a.incidentId))], limit: assignments.length });
    const at = new Map(incidents.map((incident) => [incident.id, [incident.lon, incident.lat] as LonLat]));
    for (const assignment of assignments) {
      if (assignment.status === 'en-route') enRoute.set(assignment.unitId, { incident: at.get(assignment.incidentId)!, shown: enRoute.get(assignment.unitId)?.shown });
      else enRoute.delete(assignment.unitId);
    }
  };
  const notFound = incidentNotFound;
  const incidentOf = (raw: unknown) => incidentNamed(db(), raw);

  return {
    /** Loads the units already en route (after a restart). */
    async start(): Promise<void> {
      await follow(await listAssignments(db(), {}));
    },
    /** Pushes arrivals, and the live route and ETA of each unit en route that moved. */
    async onPositions({ moved, arrivals }: Pick<CityTick, 'moved' | 'arrivals'>): Promise<void> {
      await follow(arrivals.assignments);
      push.incidents(arrivals.incidents);
      const moving = moved.filter((entity) => enRoute.has(entity.id)).map((entity) => entity.id);
      const driving = moving.length > 0 ? (await listAssignments(db(), {})).filter((a) => moving.includes(a.unitId)) : [];
      push.assignments([...arrivals.assignments, ...driving].map(live));
    },
    /** Live camera speeds re-price the roads. */
    onTraffic(segments: readonly SegmentTraffic[]): void {
      router().updateSpeeds(segments);
    },
    /** Releases a case's units when it leaves the dispatch part of its life; run in the change's transaction. */
    async releaseFor(tx: Queryable, incident: Incident): Promise<Assignment[]> {
      return releasingStatuses.includes(incident.status) ? releaseAssignments(tx, incident.id) : [];
    },
    /** After a change has committed: stop following released units and tell the screens. */
    async released(assignments: readonly Assignment[]): Promise<void> {
      if (assignments.length === 0) return;
      await follow(assignments);
      push.assignments(assignments.map(live));
    },
    api: {
      candidates: (async (req, res) => {
        const incident = await incidentOf(req.params.id);
        if (!incident) return notFound(res, req.params.id);
        const candidates = await findCandidates(db(), router(), incident);
        res.json({ kinds: unitKindsOf[incident.agency], candidates });
      }) satisfies RequestHandler,
      assignments: (async (req, res) => {
        const id = numericId(req.params.id);
        if (id === undefined) return notFound(res, req.params.id);
        res.json((await listAssignments(db(), { incidentIds: [id] })).map(live));
      }) satisfies RequestHandler,
      assign: (async (req, res) => {
        const body = assignBody.safeParse(req.body);
        if (!body.success) return void res.status(400).json({ error: 'send {"unitId": "<a unit id from GET /api/incidents/:id/candidates>"}' });
        const incident = await incidentOf(req.params.id);
        if (!incident) return notFound(res, req.params.id);
        const [unit] = await db().query<{ kind: EntityKind; lon: number | null; lat: number | null }>('SELECT kind, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities WHERE id = $1', [body.data.unitId]);
        if (!unit) return void res.status(404).json({ error: `no unit "${body.data.unitId}"; GET /api/incidents/${incident.id}/candidates lists the ones to send` });
        const [route] = unit.lon === null || unit.lat === null ? [null] : router().routesTo([incident.lon, incident.lat], [[unit.lon, unit.lat]], travelModeOf(unit.kind));
        if (!route) return void res.status(409).json({ error: `unit "${body.data.unitId}" has no position on the road network yet; choose another candidate` });
        const actor = auth.signedInOf(res)!.session.user.id;
        const result = await db().transaction(async (tx) => {
          const done = await assignUnit(tx, incident.id, body.data.unitId, actor, route);
          if (done.ok) {
            await appendAudit(tx, {
              actor,
              action: 'unit-assigned',
              objectType: 'incident',
              objectId: String(incident.id),
              before: { status: incident.status },
              after: { status: done.incident?.after.status ?? incident.status, unitId: body.data.unitId, etaS: done.assignment.etaS },
              client: auth.clientOf(req),
            });
          }
          return done;
        });
        if (!result.ok) {
          const why = {
            'incident-not-found': `no incident ${incident.id}`,
            'incident-not-open': `a ${result.detail} case takes no units; register it first`,
            'unit-not-found': `no unit "${body.data.unitId}"`,
            'wrong-kind': `this case needs ${result.detail}; choose one of the candidates`,
            'unit-busy': `unit "${body.data.unitId}" is ${result.detail}; choose another candidate`,
          }[result.reason];
          return void res.status(result.reason === 'incident-not-found' || result.reason === 'unit-not-found' ? 404 : 409).json({ error: why });
        }
        await follow([result.assignment]);
        if (result.incident) push.incidents([result.incident.after]);
        const sent = live(result.assignment);
        push.assignments([sent]);
        res.status(201).json(sent);
      }) satisfies RequestHandler,
      force: (async (_req, res) => void res.json(await readForceDistribution(db()))) satisfies RequestHandler,
      /** The whole fleet of the kinds that answer a case, each with its duty, for the console's map. */
      fleet: (async (req, res) => {
        const incident = await incidentOf(req.params.id);
        if (!incident) return notFound(res, req.params.id);
        const kinds = unitKindsOf[incident.agency];
        res.json({ kinds, units: kinds.length === 0 ? [] : await listFleet(db(), kinds) });
      }) satisfies RequestHandler,
    },
  };
}
export type Dispatch = ReturnType<typeof createDispatch>;
