import { firstValueFrom, Subject, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWithCity, testBackends, type Database } from '../geo/index.ts';
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

    const [batch] = await moved;
    expect(failures).toEqual([1, 2]);
    expect(batch!.map((e) => e.id).sort()).toEqual(cars.map((c) => c.id).sort());
    for (const entity of batch!) expect(entity.cellId).toMatch(/^cell-/);
    const history = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM position_history');
    expect(history[0]!.n).toBe(3);
  });
});
