import { createStore } from 'zustand/vanilla';
import type { PostureBoard, PostureQuery, PostureRange, PostureSnapshot } from '../streams/index.ts';

// The client takes types only from streams/; a board or range added there fails the type check here until it is named.
export const postureBoards = Object.keys({ cases: 1, units: 1, traffic: 1, buses: 1, feeds: 1 } satisfies Record<PostureBoard, 1>) as PostureBoard[];
export const postureRangeNames = Object.keys({ live: 1, '1h': 1, '24h': 1, '7d': 1 } satisfies Record<PostureRange, 1>) as PostureRange[];

/** What the official asks for: a range, a place (city, district, grid cell), the coverage minutes and the boards shown. */
export type PostureAsk = Omit<PostureQuery, 'boards'> & { boards: PostureBoard[] };

export interface PostureState {
  ask: PostureAsk;
  /** The newest boards for the current ask; null until they come. */
  snapshot: PostureSnapshot | null;
  connected: boolean;
  /** What went wrong last and what to do, as the server said it; null when all is well. */
  problem: string | null;
  /** What the boards say while the server's core lags (see coreLagNotice): their figures trail the city. */
  lag: string | null;
}

const sameAsk = (ask: PostureAsk, query: PostureQuery) =>
  ask.range === query.range && ask.districtId === query.districtId && ask.cellId === query.cellId && ask.minutes === query.minutes && ask.boards.join() === query.boards.join();

// A new ask clears the boards until its own come, so a district's numbers never show under the city's name.
const asked = (state: PostureState, ask: PostureAsk): PostureState => (JSON.stringify(ask) === JSON.stringify(state.ask) ? state : { ...state, ask, snapshot: null, problem: null });

export const postureUpdaters = {
  rangeChosen: (state: PostureState, range: PostureRange): PostureState => asked(state, { ...state.ask, range }),
  minutesChosen: (state: PostureState, minutes: number): PostureState => asked(state, { ...state.ask, minutes }),
  /** Drills down to a district or a grid cell (of that district), or back up to the city (both null). */
  placeChosen: (state: PostureState, place: { districtId: string | null; cellId: string | null }): PostureState => asked(state, { ...state.ask, ...place }),
  /** Keeps boards for the current ask only, and never an older read over a newer one. */
  snapshotSeen(state: PostureState, snapshot: PostureSnapshot): PostureState {
    if (!sameAsk(state.ask, snapshot.query)) return state;
    if (state.snapshot && Date.parse(state.snapshot.at) > Date.parse(snapshot.at)) return state;
    return { ...state, snapshot, problem: null };
  },
  /** The server read the ask (a cell's district filled in): take its place as the ask's own. */
  askRead: (state: PostureState, query: PostureQuery): PostureState => ({ ...state, ask: { ...state.ask, districtId: query.districtId, cellId: query.cellId } }),
  problemSeen: (state: PostureState, problem: string | null): PostureState => ({ ...state, problem }),
  /** A replay jumped, or went back to live: the boards of another moment follow. */
  cleared: (state: PostureState): PostureState => ({ ...state, snapshot: null }),
  connectionChanged: (state: PostureState, connected: boolean): PostureState => ({ ...state, connected }),
  lagSeen: (state: PostureState, lag: string | null): PostureState => (lag === state.lag ? state : { ...state, lag }),
};

/** The ask a page address holds (`?range=24h&district=…&cell=…&minutes=…&boards=…`); what it lacks or garbles is the default. */
export function askFromQuery(search: string): PostureAsk {
  const params = new URLSearchParams(search);
  const range = params.get('range') as PostureRange | null;
  const minutes = Number(params.get('minutes'));
  const boards = (params.get('boards') ?? '').split(',').filter((board): board is PostureBoard => (postureBoards as readonly string[]).includes(board));
  return {
    range: range && postureRangeNames.includes(range) ? range : 'live',
    districtId: params.get('district') || null,
    cellId: params.get('cell') || null,
    minutes: Number.isInteger(minutes) && minutes >= 1 && minutes <= 60 ? minutes : 5,
    boards: boards.length > 0 ? postureBoards.filter((board) => boards.includes(board)) : [...postureBoards],
  };
}

/** The ask as query parameters: the page's address (bookmarkable), a CSV link, the socket's `watch-posture`. */
export function askParameters(ask: PostureAsk, extra: Record<string, string> = {}): URLSearchParams {
  const params = new URLSearchParams({ range: ask.range });
  if (ask.districtId) params.set('district', ask.districtId);
  if (ask.cellId) params.set('cell', ask.cellId);
  if (ask.minutes !== 5) params.set('minutes', String(ask.minutes));
  if (ask.boards.length < postureBoards.length) params.set('boards', ask.boards.join(','));
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  return params;
}

export function createPostureStore(ask: PostureAsk) {
  return createStore<PostureState>(() => ({ ask, snapshot: null, connected: false, problem: null, lag: null }));
}
export type PostureStore = ReturnType<typeof createPostureStore>;
