import type { Queryable } from './database.ts';
import { readForceDistribution, type ForceCount } from './dispatch.ts';
import { forceKinds, forceOf, pastUnits } from './past-duty.ts';
import { readBusPosture, type BusPosture } from './posture-buses.ts';
import { readFeedPosture, type FeedPosture } from './posture-feeds.ts';
import { readTrafficPosture, type TrafficPosture } from './posture-traffic.ts';
import type { PostureWindow } from './posture-window.ts';
import { readCasePosture, readCoverage, type CasePosture, type Coverage } from './posture.ts';
import type { RoadRouter } from './road-routing.ts';

export type PostureBoardName = 'cases' | 'units' | 'traffic' | 'buses' | 'feeds';

export interface PostureBoards {
  cases?: CasePosture;
  units?: { force: ForceCount[]; coverage: Coverage };
  traffic?: TrafficPosture;
  buses?: BusPosture;
  feeds?: FeedPosture;
}

/**
 * The boards asked for, for one window and place, as one push reads them. Force is per
 * district (a cell's board shows its district's); `silentAfterMs` says when a camera or a bus
 * that has not reported counts as gone. With `atMs`, as they were at that past moment (a replay,
 * the window ending with it); the units' duty then is read from their assignments (geo/past-duty.ts).
 */
export async function readPostureBoards(
  db: Queryable,
  router: RoadRouter,
  window: PostureWindow,
  options: { boards: readonly PostureBoardName[]; minutes: number; silentAfterMs: { cameras: number; buses: number }; atMs?: number },
): Promise<PostureBoards> {
  const { atMs } = options;
  const wanted = new Set(options.boards);
  const readUnits = async () => {
    const past = atMs === undefined ? undefined : await pastUnits(db, atMs, forceKinds);
    const [force, coverage] = await Promise.all([past ? forceOf(past) : readForceDistribution(db), readCoverage(db, router, { ...window, minutes: options.minutes }, past)]);
    return { force: window.districtId ? force.filter((row) => row.districtId === window.districtId) : force, coverage };
  };
  const [cases, units, traffic, buses, feeds] = await Promise.all([
    wanted.has('cases') ? readCasePosture(db, window, atMs) : undefined,
    wanted.has('units') ? readUnits() : undefined,
    wanted.has('traffic') ? readTrafficPosture(db, window, options.silentAfterMs.cameras, atMs) : undefined,
    wanted.has('buses') ? readBusPosture(db, window, options.silentAfterMs.buses, atMs) : undefined,
    wanted.has('feeds') ? readFeedPosture(db, window, atMs) : undefined,
  ]);
  return { ...(cases && { cases }), ...(units && { units }), ...(traffic && { traffic }), ...(buses && { buses }), ...(feeds && { feeds }) };
}
