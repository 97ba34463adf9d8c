import type { RequestHandler } from 'express';
import { z } from 'zod';
import {
  appendAudit,
  assignUnit,
  findCandidates,
  forceKinds,
  forceOf,
  listAssignments,
  listEnRoute,
  listIncidents,
  readForceDistribution,
  listFleet,
  pastUnits,
  releaseAssignments,
  reportsOfIncidents,
  travelModeOf,
  unitKindsOf,
  type Assignment,
  type Database,
  type EntityKind,
  type Incident,
  type LonLat,
  type Queryable,
  type ServiceRequest,
  type RoadRouter,
  type SegmentTraffic,
} from '../geo/index.ts';
import type { CityTick, LiveAssignment } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import { incidentNamed, incidentNotFound } from './incidents-api.ts';
import { crossingsOf, easeEta, type ShownEta } from './live-eta.ts';
import { pastMoment } from './posture-api.ts';
import { numericId } from './request-checks.ts';

/** A case going back to the queue, or done with, lets its units go. */
export const releasingStatuses: readonly Incident['status'][] = ['registered', 'answered', 'closed', 'cancelled'];

const assignBody = z.object({ unitId: z.string().min(1).max(64) }).strict();

export interface DispatchEvents {
  /** Cases that moved, with the citizens' reports they came from (which move with them). */
  incidents: (incidents: Incident[], reports: ServiceRequest[]) => void;
  assignments: (assignments: LiveAssignment[]) => void;
}

/**
 * Dispatch: candidates by road ETA, sending a unit, and following it. Which units are en route is
 * read from the database each tick, so the node that applies a unit's fixes follows it whichever
 * node sent it; the ETA last shown for each, eased (live-eta.ts), is this node's display memory.
 */
export function createDispatch(db: () => Database, router: () => RoadRouter, auth: Auth, push: DispatchEvents) {
  // The live ETA shown last per assignment en route: lost with the node, a moved partition's units
  // show their next ETA as routed rather than eased.
  const shown = new Map<number, ShownEta>();
  const live = (assignment: Assignment, scene: LonLat | undefined): LiveAssignment => {
    if (assignment.status !== 'en-route') shown.delete(assignment.id);
    if (assignment.status !== 'en-route' || !scene || assignment.lon === null || assignment.lat === null) return { ...assignment, liveEtaS: null };
    const [route] = router().routesTo(scene, [[assignment.lon, assignment.lat]], travelModeOf(assignment.unitKind));
    if (!route) return { ...assignment, liveEtaS: null };
    const eased = easeEta(shown.get(assignment.id), { etaS: route.seconds, crossings: crossingsOf(route.line) }, Date.now());
    shown.set(assignment.id, eased);
    return { ...assignment, route: route.line, liveEtaS: Math.round(eased.etaS) };
  };
  const liveWithScenes = async (assignments: readonly Assignment[]) => {
    const enRoute = assignments.filter((a) => a.status === 'en-route');
    const incidents = enRoute.length === 0 ? [] : await listIncidents(db(), { ids: [...new Set(enRoute.map((a) => a.incidentId))], limit: enRoute.length });
    const scenes = new Map(incidents.map((incident) => [incident.id, [incident.lon, incident.lat] as LonLat]));
    return assignments.map((a) => live(a, scenes.get(a.incidentId)));
  };
  const notFound = incidentNotFound;
  const incidentOf = (raw: unknown) => incidentNamed(db(), raw);

  return {
    /** Pushes arrivals, and the live route and ETA of each unit en route that moved. */
    async onPositions({ moved, arrivals }: Pick<CityTick, 'moved' | 'arrivals'>): Promise<void> {
      push.incidents(arrivals.incidents, await reportsOfIncidents(db(), arrivals.incidents));
      const movedIds = new Set(moved.map((entity) => entity.id));
      const enRoute = movedIds.size > 0 ? await listEnRoute(db()) : [];
      const ids = new Set(enRoute.map((a) => a.id));
      // Released on another node, or arrived: nothing more to ease.
      for (const id of shown.keys()) if (!ids.has(id)) shown.delete(id);
      const driving = enRoute.filter((a) => movedIds.has(a.unitId)).map((a) => live(a, a.scene));
      push.assignments([...(await liveWithScenes(arrivals.assignments)), ...driving]);
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
      push.assignments(await liveWithScenes(assignments));
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
        res.json(await liveWithScenes(await listAssignments(db(), { incidentIds: [id] })));
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
        if (result.incident) push.incidents([result.incident.after], await reportsOfIncidents(db(), [result.incident.after]));
        const sent = live(result.assignment, [incident.lon, incident.lat]);
        push.assignments([sent]);
        res.status(201).json(sent);
      }) satisfies RequestHandler,
      /** The force by district now, or (`at`) at a past moment: a replaying console's. */
      force: (async (req, res) => {
        const at = pastMoment(req.query.at);
        if (typeof at === 'object') return void res.status(400).json(at);
        res.json(at === undefined ? await readForceDistribution(db()) : forceOf(await pastUnits(db(), at, forceKinds)));
      }) satisfies RequestHandler,
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
