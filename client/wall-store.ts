import { createStore } from 'zustand/vanilla';
import type { CoreStatus, EntityKind, FeedStatus } from '../streams/index.ts';
import { coreLagging } from './core-lag.ts';

export type Connection = 'connecting' | 'live' | 'reconnecting';

/** A problem the operator should see, as a key into the messages plus its detail. */
export type Problem =
  | { kind: 'starting'; step: string }
  | { kind: 'unreachable' }
  | { kind: 'connection-lost' }
  | { kind: 'slow-server' }
  /** The server is behind applying input, or its database down: positions move, cases and alerts follow later. */
  | { kind: 'behind'; seconds: number; outage: boolean }
  | null;

// Problems with the live connection itself: positions arriving prove them over.
const connectionProblems = new Set(['unreachable', 'connection-lost', 'slow-server']);

export interface WallState {
  connection: Connection;
  problem: Problem;
  counts: Record<EntityKind, number>;
  /** Sequence number of the last positions update applied. */
  lastSeq: number;
  /** Epoch ms of the last positions update applied. */
  lastUpdateAt: number | null;
  /** Epoch ms when the alert and feed snapshots were last read in full; null before the first. */
  snapshotAt: number | null;
  /** How fresh each feed is, as the server last said. */
  feeds: FeedStatus[];
  /** Layers switched off: entity kinds, or 'alerts'. */
  hidden: string[];
  /** What the map is showing by itself (a tour stop, a followed unit), as a label; null when nothing. */
  showing: string | null;
}

/** `?hide=taxi,police-officer`: a wall can start with layers off, set up without a mouse. */
export function hiddenFromQuery(search: string): string[] {
  return (new URLSearchParams(search).get('hide') ?? '').split(',').map((name) => name.trim()).filter(Boolean);
}

/**
 * Whether the wall animates (units glide between fixes, severe alerts pulse, the map flies between
 * stops): not when the browser asks for reduced motion (the system's setting; WCAG 2.3.3) or with
 * `?motion=off`, and always with `?motion=on`. Still, a wall PC without a GPU draws only when data
 * changes.
 */
export function motionFromQuery(search: string, reducedMotion: boolean): boolean {
  const asked = new URLSearchParams(search).get('motion');
  return asked === 'on' || (asked !== 'off' && !reducedMotion);
}

export const initialWallState: WallState = {
  connection: 'connecting',
  problem: null,
  counts: { 'police-car': 0, 'police-officer': 0, inspector: 0, bus: 0, taxi: 0, truck: 0 },
  lastSeq: 0,
  lastUpdateAt: null,
  snapshotAt: null,
  feeds: [],
  hidden: [],
  showing: null,
};

// State changes as pure (state, payload) => state functions, testable without a browser.
export const wallUpdaters = {
  connected: (state: WallState): WallState => ({ ...state, connection: 'live', problem: null }),
  snapshotRead: (state: WallState, at: number): WallState => ({ ...state, snapshotAt: at, problem: clearedByData(state.problem) }),
  disconnected: (state: WallState): WallState => ({ ...state, connection: 'reconnecting', problem: { kind: 'connection-lost' } }),
  problemSeen: (state: WallState, problem: Problem): WallState => ({ ...state, problem }),
  feedsSeen: (state: WallState, feeds: FeedStatus[]): WallState => ({ ...state, feeds }),
  /** The server's word on its core: a notice while it lags, gone once it has caught up; a connection problem outranks it. */
  coreSeen: (state: WallState, core: CoreStatus): WallState => {
    if (state.problem && state.problem.kind !== 'behind') return state;
    return { ...state, problem: coreLagging(core) ? { kind: 'behind', seconds: core.behindS, outage: core.outage } : null };
  },
  layerToggled: (state: WallState, layer: string): WallState => ({
    ...state,
    hidden: state.hidden.includes(layer) ? state.hidden.filter((name) => name !== layer) : [...state.hidden, layer],
  }),
  showingChanged: (state: WallState, showing: string | null): WallState => ({ ...state, showing }),
  positionsApplied: (state: WallState, update: { seq: number; at: number; counts: Record<EntityKind, number> }): WallState =>
    ({ ...state, connection: 'live', problem: clearedByData(state.problem), lastSeq: update.seq, lastUpdateAt: update.at, counts: update.counts }),
};

/** Data arriving ends a problem with the connection (the banner says what is true now), not others. */
function clearedByData(problem: Problem): Problem {
  return problem && connectionProblems.has(problem.kind) ? null : problem;
}

export function createWallStore(hidden: string[] = []) {
  return createStore<WallState>()(() => ({ ...initialWallState, hidden }));
}
export type WallStore = ReturnType<typeof createWallStore>;
