import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { busBunching, cumulativeLengths, listBusProgress, persistPositionBatch, pointAlong, reviewBusIncidents, updateBusProgress, type Database } from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const route = city.busRoutes[0]!;
const [leader, follower] = city.entities.filter((e) => e.kind === 'bus' && e.routeId === route.id);
const lengths = cumulativeLengths(route.line);
const runS = lengths.at(-1)! / (route.scheduledSpeedKmh / 3.6);
// Where a bus is `headwayS` behind the route's middle, at the timetable's speed.
const behindMiddle = (headwayS: number) => pointAlong(route.line, lengths, lengths.at(-1)! / 2 - (headwayS / runS) * lengths.at(-1)!);

describe.each(testBackends())('bus bunching on the $name database', (backend) => {
  let db: Database;
  let clock = Date.now() - 3_600_000;
  /** Both buses report (the leader mid-route, the follower `headwayS` behind), `stepS` after the last reports. */
  const report = async (headwayS: number, stepS = 20) => {
    clock += stepS * 1000;
    const fix = (id: string, { at, headingDeg }: ReturnType<typeof pointAlong>) => ({
      entityId: id, lon: at[0], lat: at[1], headingDeg, speedKmh: 20, eventTime: clock, receivedAt: clock, sourceId: 'test', attributes: { tripId: `${route.id}:out:${id === leader!.id ? '0700' : '0710'}` },
    });
    return db.transaction(async (tx) => {
      const moved = await persistPositionBatch(tx, [fix(leader!.id, behindMiddle(0)), fix(follower!.id, behindMiddle(headwayS))]);
      await updateBusProgress(tx, moved.map((e) => e.id));
      const cases = await reviewBusIncidents(tx, moved.map((e) => e.id));
      const pair = (await listBusProgress(tx)).find((p) => p.id === follower!.id)!.bunchedWith;
      // Only bunching's cases: whether the pair is also late depends on the time of day the test
      // runs at against the trips' timetable (it opened bus-delay cases at 08:25 in Karamay).
      const bunchingCases = cases.filter((c) => c.category === 'bus-bunching');
      return { bunched: pair === leader!.id, cases: bunchingCases.map((c) => `${c.category}:${c.status}`) };
    });
  };
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('bunches buses under 60 s apart, holds the pair until 120 s, and opens a case only once it has lasted 3 minutes', async () => {
    expect(await report(300), 'five minutes apart').toEqual({ bunched: false, cases: [] });
    expect(await report(90), 'a minute and a half apart: not yet').toEqual({ bunched: false, cases: [] });
    expect(await report(40), 'under a minute: bunched, not yet a case').toEqual({ bunched: true, cases: [] });
    expect(await report(100), 'apart a little: still the same pair').toEqual({ bunched: true, cases: [] });
    expect(await report(150), 'past two minutes: over, and nothing was opened').toEqual({ bunched: false, cases: [] });
    // Together again, and for longer than the sustained limit: one case, then it cancels when they part.
    expect(await report(30)).toEqual({ bunched: true, cases: [] });
    expect(await report(30, busBunching.sustainedS - 30)).toEqual({ bunched: true, cases: [] });
    expect(await report(30, 40)).toEqual({ bunched: true, cases: ['bus-bunching:reported'] });
    expect(await report(30)).toEqual({ bunched: true, cases: [] });
    expect(await report(400)).toEqual({ bunched: false, cases: ['bus-bunching:cancelled'] });
  });
});
