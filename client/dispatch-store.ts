import { createStore } from 'zustand/vanilla';
import type { CallRecord, FleetUnit, ForceCount, Geofence, GeofenceAlert, Incident, IncidentHistoryEntry, IncidentStatus, LiveAssignment, NearbyActivity, UnitCandidate, Warning } from '../streams/index.ts';

/** A case as GET /api/incidents/:id answers: with its history, the steps it may take next, and the call it came from. */
export type IncidentDetail = Incident & { history: IncidentHistoryEntry[]; next: IncidentStatus[]; call?: CallRecord };

/** A case being entered from a phone call: where it is, once picked from a search or clicked on the map. */
export interface Intake {
  point: [number, number] | null;
  /** The place's name as picked; null for a point clicked on the map. */
  place: string | null;
}

export interface Drawing {
  purpose: 'fence' | 'warning';
  corners: [number, number][];
}

export interface DispatchState {
  /** Open cases by id; closed and cancelled ones leave the queue. */
  incidents: Map<number, Incident>;
  selected: number | null;
  detail: IncidentDetail | null;
  /** Units to send for the selected case; null while asked; 'not-tracked' when its agency's crews are not tracked here. */
  candidates: UnitCandidate[] | 'not-tracked' | null;
  /** Units sent to the selected case, by assignment id. */
  assignments: Map<number, LiveAssignment>;
  force: ForceCount[];
  fences: Geofence[];
  /** Geofence alerts not cleared, by id. */
  fenceAlerts: Map<number, GeofenceAlert>;
  /** An area being drawn on the map, for a geofence or an emergency warning; null when not drawing. */
  drawing: Drawing | null;
  /** Emergency warnings of the last 24 h, by id, with how their delivery stands. */
  warnings: Map<number, Warning>;
  /** A case being entered from a call; null when the form is closed. */
  intake: Intake | null;
  /** The whole fleet of the selected case's kinds, with their duty. */
  fleet: FleetUnit[];
  /** What else happened near the selected case, once asked. */
  nearby: NearbyActivity | null;
  /** What went wrong last, and what to do, as the server said it. */
  problem: string | null;
  /** What the console says while the server's core lags (see coreLagNotice). */
  lag: string | null;
  connected: boolean;
}

const finished: readonly IncidentStatus[] = ['closed', 'cancelled'];
const assignmentSteps: readonly LiveAssignment['status'][] = ['en-route', 'on-scene', 'released'];

export const dispatchUpdaters = {
  /** Keeps the newest version of each case, whatever order pushes and snapshots arrive in. */
  incidentsSeen(state: DispatchState, incidents: readonly Incident[]): DispatchState {
    const next = new Map(state.incidents);
    let detail = state.detail;
    for (const incident of incidents) {
      if (detail?.id === incident.id && incident.version > detail.version) detail = { ...detail, ...incident };
      const known = next.get(incident.id);
      if (known && known.version >= incident.version) continue;
      if (finished.includes(incident.status)) next.delete(incident.id);
      else next.set(incident.id, incident);
    }
    return { ...state, incidents: next, detail };
  },
  selected: (state: DispatchState, id: number | null): DispatchState => ({ ...state, selected: id, detail: null, candidates: null, assignments: new Map(), fleet: [], nearby: null }),
  intake: (state: DispatchState, intake: Intake | null): DispatchState => ({ ...state, intake }),
  /** Applies to the case selected now only, as detailRead does. */
  fleetRead: (state: DispatchState, id: number, fleet: FleetUnit[]): DispatchState => (id === state.selected ? { ...state, fleet } : state),
  nearbyRead: (state: DispatchState, id: number, nearby: NearbyActivity): DispatchState => (id === state.selected ? { ...state, nearby } : state),
  /** Applies to the case selected now only: an answer for one selected before is dropped. */
  detailRead: (state: DispatchState, detail: IncidentDetail): DispatchState => (detail.id === state.selected ? { ...state, detail } : state),
  candidatesRead: (state: DispatchState, id: number, candidates: DispatchState['candidates']): DispatchState => (id === state.selected ? { ...state, candidates } : state),
  /** A unit sent only moves on (en route, on scene, released): a read answered after a later push never takes it back. */
  assignmentsSeen(state: DispatchState, assignments: readonly LiveAssignment[]): DispatchState {
    const mine = assignments.filter((assignment) => assignment.incidentId === state.selected);
    if (mine.length === 0) return state;
    const next = new Map(state.assignments);
    for (const assignment of mine) {
      const known = next.get(assignment.id);
      if (!known || assignmentSteps.indexOf(assignment.status) >= assignmentSteps.indexOf(known.status)) next.set(assignment.id, assignment);
    }
    return { ...state, assignments: next };
  },
  forceRead: (state: DispatchState, force: ForceCount[]): DispatchState => ({ ...state, force }),
  fencesRead: (state: DispatchState, fences: Geofence[]): DispatchState => ({ ...state, fences }),
  /** Keeps the newest version of each alert; cleared ones leave. */
  fenceAlertsSeen(state: DispatchState, alerts: readonly GeofenceAlert[]): DispatchState {
    const next = new Map(state.fenceAlerts);
    for (const alert of alerts) {
      if ((next.get(alert.id)?.version ?? 0) >= alert.version) continue;
      if (alert.state === 'cleared') next.delete(alert.id);
      else next.set(alert.id, alert);
    }
    return { ...state, fenceAlerts: next };
  },
  drawing: (state: DispatchState, drawing: Drawing | null): DispatchState => ({ ...state, drawing }),
  /** Keeps each warning's latest delivery: a settled one (delivered, failed) is never taken back to pending. */
  warningsSeen(state: DispatchState, warnings: readonly Warning[]): DispatchState {
    const next = new Map(state.warnings);
    for (const warning of warnings) {
      const known = next.get(warning.id);
      if (known && (known.delivery !== 'pending' || known.deliveryAttempts > warning.deliveryAttempts)) continue;
      next.set(warning.id, warning);
    }
    return { ...state, warnings: next };
  },
  problemSeen: (state: DispatchState, problem: string | null): DispatchState => ({ ...state, problem }),
  /** A replay jumped, or went back to live: another moment's cases, units sent, alerts and warnings follow; the chosen case stays chosen. */
  pastCleared: (state: DispatchState): DispatchState => ({ ...state, incidents: new Map(), detail: null, candidates: null, assignments: new Map(), fenceAlerts: new Map(), warnings: new Map(), fleet: [], nearby: null, force: [], intake: null, drawing: null }),
  connection: (state: DispatchState, connected: boolean): DispatchState => ({ ...state, connected }),
  lagSeen: (state: DispatchState, lag: string | null): DispatchState => (lag === state.lag ? state : { ...state, lag }),
};

/** A case as it stood at a past moment (a replay): its history up to then, its status the last step's, no steps to take; null before it was reported. */
export function detailAsOf(detail: IncidentDetail, atMs: number): IncidentDetail | null {
  const history = detail.history.filter((entry) => Date.parse(entry.at) <= atMs);
  if (history.length === 0) return null;
  return { ...detail, history, status: history.at(-1)!.toStatus, version: history.length, next: [] };
}

/** A unit sent, as it stood at a past moment (a replay); undefined before it was sent. Its live ETA and position then are not kept. */
export function assignmentAsOf(assignment: LiveAssignment, atMs: number): LiveAssignment | undefined {
  if (Date.parse(assignment.assignedAt) > atMs) return undefined;
  const byThen = (iso: string | null) => (iso !== null && Date.parse(iso) <= atMs ? iso : null);
  const [arrivedAt, releasedAt] = [byThen(assignment.arrivedAt), byThen(assignment.releasedAt)];
  return { ...assignment, arrivedAt, releasedAt, status: releasedAt ? 'released' : arrivedAt ? 'on-scene' : 'en-route', liveEtaS: null, lon: null, lat: null };
}

/** The queue: most severe first, then the one due soonest (as the server orders it). */
export function queueOf(state: DispatchState): Incident[] {
  return [...state.incidents.values()].sort((a, b) => b.severity - a.severity || Date.parse(a.dueAt) - Date.parse(b.dueAt) || a.id - b.id);
}

/** Per district: available, busy (en route or on scene) and off-duty units of each agency. */
export function forceByDistrict(force: readonly ForceCount[]): Map<string, Record<ForceCount['agency'], [number, number, number]>> {
  const rows = new Map<string, Record<ForceCount['agency'], [number, number, number]>>();
  for (const { districtId, agency, duty, units } of force) {
    const row = rows.get(districtId ?? '') ?? rows.set(districtId ?? '', { police: [0, 0, 0], city: [0, 0, 0] }).get(districtId ?? '')!;
    row[agency][duty === 'available' ? 0 : duty === 'off-duty' ? 2 : 1] += units;
  }
  return rows;
}

export function createDispatchStore() {
  return createStore<DispatchState>(() => ({ incidents: new Map(), selected: null, detail: null, candidates: null, assignments: new Map(), force: [], fences: [], fenceAlerts: new Map(), drawing: null, warnings: new Map(), intake: null, fleet: [], nearby: null, problem: null, lag: null, connected: false }));
}
export type DispatchStore = ReturnType<typeof createDispatchStore>;

/** Applies an updater to the store's state. */
export const updateWith = (store: DispatchStore) => (change: (state: DispatchState) => DispatchState) => store.setState(change(store.getState()), true);
