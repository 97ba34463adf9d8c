// What the dispatcher does on the console, and the reads each step needs: choose a case (its
// detail, units sent, candidates and fleet), move it, send a unit, merge a repeat, ask what else
// happened near it, handle fence alerts, read the force. Replaying, the console only reads: the
// chosen case as it stood at the replayed moment, no candidates, fleet or force (not in history).
import type { FleetUnit, ForceCount, GeofenceAlert, Incident, IncidentStatus, LiveAssignment, NearbyActivity, UnitCandidate } from '../streams/index.ts';
import { assignmentAsOf, dispatchUpdaters, detailAsOf, type DispatchState, type DispatchStore, type IncidentDetail } from './dispatch-store.ts';
import type { ReplayControl } from './replay-control.ts';
import type { apiCaller } from './session.ts';

export interface DispatchActionsContext {
  store: DispatchStore;
  call: ReturnType<typeof apiCaller>;
  may: (permission: string) => boolean;
  userId: string;
  replay: Pick<ReplayControl, 'replaying' | 'now'>;
  /** Moves the map to a case. */
  flyTo: (point: [number, number]) => void;
  /** The step's note is taken: clear it. */
  clearNote: () => void;
}

export function createDispatchActions({ store, call, may, userId, replay, flyTo, clearNote }: DispatchActionsContext) {
  const update = (change: (state: DispatchState) => DispatchState) => store.setState(change(store.getState()), true);
  const done = (change: (state: DispatchState) => DispatchState) => update((state) => dispatchUpdaters.problemSeen(change(state), null));

  async function select(id: number): Promise<void> {
    done((state) => dispatchUpdaters.selected(state, id));
    const incident = store.getState().incidents.get(id);
    if (incident) flyTo([incident.lon, incident.lat]);
    await refreshCase(id);
  }
  /**
   * Reads the chosen case again: live, with its candidates; replaying, as it stood at the moment
   * shown, or at `atLeastMs` if later (a replayed change can come before the clock that passed it).
   */
  async function refreshCase(id: number, atLeastMs = 0): Promise<void> {
    const past = replay.replaying ? Math.max(replay.now(), atLeastMs) : undefined;
    const [detail, assignments] = await Promise.all([
      call<IncidentDetail>(`/api/incidents/${id}`),
      may('dispatch:read') ? call<LiveAssignment[]>(`/api/incidents/${id}/assignments`) : undefined,
      readFleet(),
    ]);
    if (past !== undefined) {
      const then = detail && detailAsOf(detail, past);
      if (then) update((state) => dispatchUpdaters.detailRead(state, { ...then, ...state.incidents.get(id) }));
      const sent = (assignments ?? []).flatMap((assignment) => assignmentAsOf(assignment, past) ?? []);
      return update((state) => dispatchUpdaters.assignmentsSeen(state, sent));
    }
    if (detail) update((state) => dispatchUpdaters.detailRead(state, detail));
    if (assignments) update((state) => dispatchUpdaters.assignmentsSeen(state, assignments));
    if (detail && may('incidents:write') && ['registered', 'dispatched', 'handling'].includes(detail.status)) {
      const answer = await call<{ kinds: string[]; candidates: UnitCandidate[] }>(`/api/incidents/${id}/candidates`);
      update((state) => dispatchUpdaters.candidatesRead(state, id, answer?.kinds.length === 0 ? 'not-tracked' : (answer?.candidates ?? [])));
    }
  }
  async function step(detail: IncidentDetail, to: IncidentStatus, note: string): Promise<void> {
    const moved = await call<Incident>(`/api/incidents/${detail.id}/transitions`, { method: 'POST', body: JSON.stringify({ to, ...(note && { note }) }) });
    if (!moved) return;
    clearNote();
    done((state) => dispatchUpdaters.incidentsSeen(state, [moved]));
    await refreshCase(detail.id);
  }
  /** The chosen case's fleet where it is now: not while replaying (where units were then is the map's track and "who was here"). */
  async function readFleet(): Promise<void> {
    const id = store.getState().selected;
    if (id === null || !may('dispatch:read') || replay.replaying) return;
    const fleet = await call<{ units: FleetUnit[] }>(`/api/incidents/${id}/fleet`);
    if (fleet) update((state) => dispatchUpdaters.fleetRead(state, id, fleet.units));
  }
  async function merge(detail: IncidentDetail, into: number): Promise<void> {
    const merged = await call<Incident>(`/api/incidents/${detail.id}/merge`, { method: 'POST', body: JSON.stringify({ into }) });
    if (merged) done((state) => dispatchUpdaters.incidentsSeen(state, [merged]));
    if (merged) await select(into);
  }
  async function readNearby(detail: IncidentDetail): Promise<void> {
    const nearby = await call<NearbyActivity>(`/api/incidents/${detail.id}/nearby`);
    if (nearby) update((state) => dispatchUpdaters.nearbyRead(state, detail.id, nearby));
  }
  async function assign(incidentId: number, unitId: string): Promise<void> {
    const sent = await call<LiveAssignment>(`/api/incidents/${incidentId}/assignments`, { method: 'POST', body: JSON.stringify({ unitId }) });
    if (!sent) return void refreshCase(incidentId);
    done((state) => dispatchUpdaters.assignmentsSeen(state, [sent]));
    await refreshCase(incidentId);
  }
  async function changeFenceAlert(id: number, action: 'acknowledge' | 'assign' | 'clear'): Promise<void> {
    const changed = await call<GeofenceAlert>(`/api/geofence-alerts/${id}`, { method: 'POST', body: JSON.stringify({ action, ...(action === 'assign' && { assignTo: userId }) }) });
    if (changed) done((state) => dispatchUpdaters.fenceAlertsSeen(state, [changed]));
  }
  async function clearFenceAlerts(geofenceId: number): Promise<void> {
    const answer = await call<{ cleared: GeofenceAlert[] }>('/api/geofence-alerts/clear', { method: 'POST', body: JSON.stringify({ geofenceId }) });
    if (answer) done((state) => dispatchUpdaters.fenceAlertsSeen(state, answer.cleared));
  }
  /** The force per district now, or replaying, at the moment shown (an answer that comes after the screen went to or from the past is dropped). */
  async function readForce(): Promise<void> {
    const replaying = replay.replaying;
    const force = await call<ForceCount[]>(replaying ? `/api/force?at=${Math.round(replay.now())}` : '/api/force');
    if (force && replay.replaying === replaying) update((state) => dispatchUpdaters.forceRead(state, force));
  }
  return { select, refreshCase, step, readFleet, merge, readNearby, assign, changeFenceAlert, clearFenceAlerts, readForce };
}
