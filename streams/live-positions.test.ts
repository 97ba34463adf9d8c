import { firstValueFrom, from, Subject, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSetAsideItems, setAsideItem, type Database } from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { livePositions, type PositionEvent } from './index.ts';

const city = generateCity(cityProfiles.dashiqiao);
const cars = city.entities.filter((e) => e.kind === 'police-car').slice(0, 3);
const event = (entityId: string, at: [number, number], eventTime: number): PositionEvent => ({
  type: 'position',
  sourceId: 'test',
  entityId,
  lon: at[0],
  lat: at[1],
  headingDeg: null,
  speedKmh: null,
  eventTime,
  receivedAt: eventTime,
});

describe.each(testBackends())('the live position pipeline on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('joins each tick in one write and keeps every position through a database outage', async () => {
    // The real database, made to fail its first two writes: the outage a restart of PostgreSQL causes.
    let failuresLeft = 2;
    const flaky: Pick<Database, 'transaction'> = {
      transaction: (work) => (failuresLeft-- > 0 ? Promise.reject(new Error('connection terminated')) : db.transaction(work)),
    };
    const failures: number[] = [];
    const positions = new Subject<PositionEvent>();
    const moved = firstValueFrom(livePositions(flaky, positions, { tickMs: 50, checks: { onReject: () => {} }, onWriteFailure: (_, attempt) => failures.push(attempt) }).pipe(take(1), toArray()));
    const t0 = Date.parse('2026-11-21T09:00:00Z');
    cars.forEach((car, i) => positions.next(event(car.id, city.busStops[i]!.point, t0 + i)));

    const [tick] = await moved;
    const batch = tick!.moved;
    expect(failures).toEqual([1, 2]);
    expect(batch!.map((e) => e.id).sort()).toEqual(cars.map((c) => c.id).sort());
    for (const entity of batch!) expect(entity.cellId).toMatch(/^cell-/);
    const history = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM position_history');
    expect(history[0]!.n).toBe(3);
  });

  it('sets aside a fix the database refuses and writes the rest of its tick', async () => {
    // A number beyond float4 (an accuracy once passed the edge this way; the edge bounds them
    // now): any item the database refuses must cost only itself, not its pipeline.
    const t0 = Date.parse('2026-11-21T10:00:00Z');
    const poisoned = { ...event(cars[1]!.id, city.busStops[4]!.point, t0 + 1), headingDeg: 1e300 };
    const failures: unknown[] = [];
    const rejected: string[] = [];
    const setAside: Promise<void>[] = [];
    const written = firstValueFrom(
      livePositions(db, from([event(cars[0]!.id, city.busStops[3]!.point, t0), poisoned, event(cars[2]!.id, city.busStops[5]!.point, t0 + 2)]), {
        tickMs: 20,
        checks: { onReject: (reason) => rejected.push(reason) },
        onWriteFailure: (error) => failures.push(error),
        onSetAside: (item, error) => setAside.push(setAsideItem(db, 'position', item, error)),
      }).pipe(toArray()),
    );
    const moved = (await written).flatMap((tick) => tick.moved);
    await Promise.all(setAside);

    expect(rejected).toEqual([]);
    expect(failures).toEqual([]);
    expect(moved.map((e) => e.id)).toEqual([cars[0]!.id, cars[2]!.id]);
    const [kept, ...others] = await listSetAsideItems(db);
    expect(others).toEqual([]);
    expect(kept).toMatchObject({ pipeline: 'position', errorCode: '22003' });
    expect(JSON.parse(kept!.item)).toEqual(poisoned);
  });
});
