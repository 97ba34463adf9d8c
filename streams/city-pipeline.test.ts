import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, take, takeWhile, toArray } from 'rxjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { listSetAsideItems, readAppliedSeq, setAsideItem, type Database } from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { cityPipeline, openLocalIngestBus, type AlarmEvent, type CityPipelineOptions, type GridEvent, type IngestBus, type PositionEvent } from './index.ts';

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
const options = (overrides: Partial<CityPipelineOptions> = {}): CityPipelineOptions => ({ afterSeq: 0, consumer: 'test', tickMs: 20, checks: { onReject: () => {} }, ...overrides });
const historyRows = async (db: Database) => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM position_history'))[0]!.n;

describe.each(testBackends())('the city pipeline on the $name database', (backend) => {
  let db: Database;
  let dir: string;
  let bus: IngestBus;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'onescreen-pipeline-'));
    await db.exec('DELETE FROM position_history; DELETE FROM ingest_progress; DELETE FROM set_aside_items');
    bus = await openLocalIngestBus({ dir, appliedSeq: 0, maxBacklogEvents: 1e6, maxBacklogSeconds: 3_600, maxLogBytes: 1e9 });
  });
  afterEach(async () => {
    await bus.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('joins each tick in one write, notes how far the log is applied, and keeps every position through a database outage', async () => {
    // The real database, made to fail its first two writes: the outage a restart of PostgreSQL causes.
    let failuresLeft = 2;
    const flaky: Pick<Database, 'transaction'> = {
      transaction: (work) => (failuresLeft-- > 0 ? Promise.reject(new Error('connection terminated')) : db.transaction(work)),
    };
    const failures: number[] = [];
    const ticks = firstValueFrom(cityPipeline(flaky, bus, options({ onWriteFailure: (_, attempt) => failures.push(attempt) })).pipe(take(1), toArray()));
    const t0 = Date.parse('2026-11-21T09:00:00Z');
    await bus.publish(cars.map((car, i) => event(car.id, city.busStops[i]!.point, t0 + i)));

    const [tick] = await ticks;
    expect(failures).toEqual([1, 2]);
    expect(tick!.moved.map((e) => e.id).sort()).toEqual(cars.map((c) => c.id).sort());
    for (const entity of tick!.moved) expect(entity.cellId).toMatch(/^cell-/);
    expect(tick!.seq).toBe(3);
    expect(await historyRows(db)).toBe(3);
    expect(await readAppliedSeq(db, 'test')).toBe(3);
    expect(bus.status()).toMatchObject({ appliedSeq: 3, backlogEvents: 0 });
  });

  it('applies each event once: after a crash the unapplied tail is applied, and a fix sent twice is stored once', async () => {
    const t0 = Date.parse('2026-11-21T11:00:00Z');
    // Ten minutes apart: no jump a car could not make.
    const fixes = Array.from({ length: 12 }, (_, i) => event(cars[i % 3]!.id, city.busStops[i]!.point, t0 + i * 600_000));
    // Applied through seq 6, then the process died with 7–12 in the log only.
    const first = cityPipeline(db, bus, options()).subscribe();
    await bus.publish(fixes.slice(0, 6));
    await bus.caughtUp();
    first.unsubscribe();
    await bus.publish(fixes.slice(6));
    await bus.close();

    bus = await openLocalIngestBus({ dir, appliedSeq: await readAppliedSeq(db, 'test'), maxBacklogEvents: 1e6, maxBacklogSeconds: 3_600, maxLogBytes: 1e9 });
    expect(bus.status()).toMatchObject({ appliedSeq: 6, lastSeq: 12 });
    const second = cityPipeline(db, bus, options({ afterSeq: 6 })).subscribe();
    await bus.caughtUp();
    second.unsubscribe();
    expect(await historyRows(db)).toBe(12);

    // A tracker that got no answer sends its last fix again, and a fresh start (no memory of it) applies it: stored once.
    await bus.publish([fixes[11]!]);
    const third = cityPipeline(db, bus, options({ afterSeq: 12 })).subscribe();
    await bus.caughtUp();
    third.unsubscribe();
    expect(await historyRows(db)).toBe(12);
    expect(await readAppliedSeq(db, 'test')).toBe(13);
    expect(await listSetAsideItems(db)).toEqual([]);
    const latest = await db.query<{ id: string; ms: number }>(`SELECT id, extract(epoch FROM updated_at) * 1000 AS ms FROM entities WHERE id = ANY($1) ORDER BY id`, [cars.map((c) => c.id)]);
    expect(latest.map((row) => Number(row.ms))).toEqual([9, 10, 11].map((i) => t0 + i * 600_000));
  });

  it('sets aside an event the database refuses and writes the rest of its tick', async () => {
    // A number beyond float4 (an accuracy once passed the edge this way; the edge bounds them
    // now): any item the database refuses must cost only itself, not its pipeline.
    const t0 = Date.parse('2026-11-21T14:00:00Z');
    const poisoned = { ...event(cars[1]!.id, city.busStops[4]!.point, t0 + 1), headingDeg: 1e300 };
    const failures: unknown[] = [];
    const rejected: string[] = [];
    const setAside: Promise<void>[] = [];
    const written = firstValueFrom(
      cityPipeline(
        db,
        bus,
        options({
          checks: { onReject: (reason) => rejected.push(reason) },
          onWriteFailure: (error) => failures.push(error),
          onSetAside: (item, error) => setAside.push(setAsideItem(db, 'position', item.event, error)),
        }),
      ).pipe(take(2), toArray()),
    );
    await bus.publish([event(cars[0]!.id, city.busStops[3]!.point, t0), poisoned, event(cars[2]!.id, city.busStops[5]!.point, t0 + 2)]);
    const moved = (await written).flatMap((tick) => tick.moved);
    await Promise.all(setAside);

    expect(rejected).toEqual([]);
    expect(failures).toEqual([]);
    expect(moved.map((e) => e.id)).toEqual([cars[0]!.id, cars[2]!.id]);
    const [kept, ...others] = await listSetAsideItems(db);
    expect(others).toEqual([]);
    expect(kept).toMatchObject({ pipeline: 'position', errorCode: '22003' });
    expect(JSON.parse(kept!.item)).toEqual(poisoned);
    expect(bus.status().appliedSeq).toBe(3);
  });

  it('registers reports and opens alarms’ cases in the tick, at once, each once however often it is applied', async () => {
    const t0 = Date.now();
    const at = city.busStops[7]!.point;
    const report = (token: string, lon: number, lat: number): GridEvent => ({
      type: 'grid-event', sourceId: 'open311', token, eventTime: t0, receivedAt: t0, serviceCode: 'garbage', description: '垃圾', lon, lat, address: null, mediaUrl: null, reporter: 'citizen', reporterId: null, contact: {},
    });
    const alarm: AlarmEvent = { type: 'alarm', sourceId: 'alarms', alarmId: 'P-1', line: '110', category: 'help', lon: at[0], lat: at[1], address: null, description: '求助', eventTime: t0, receivedAt: t0 };
    const reports = [report('6f1c1a52-5b7e-4c55-9d0e-2b1f3a4c5d60', at[0], at[1]), report('6f1c1a52-5b7e-4c55-9d0e-2b1f3a4c5d61', 116.4, 39.9)];
    const events = [...reports, alarm];
    // A tick of an hour: only a report or an alarm, which someone waits on, makes it go at once.
    const casesThrough = (seq: number, afterSeq: number) => {
      const ticks = firstValueFrom(cityPipeline(db, bus, options({ afterSeq, tickMs: 3_600_000 })).pipe(takeWhile((tick) => tick.seq < seq, true), toArray()));
      return ticks.then((all) => ({
        reports: all.flatMap((tick) => tick.cases.reports),
        refusedReports: all.flatMap((tick) => tick.cases.refusedReports),
        alarms: all.flatMap((tick) => tick.cases.alarms),
        incidents: all.flatMap((tick) => tick.cases.incidents),
      }));
    };
    const first = casesThrough(3, 0);
    await bus.publish(events);
    const cases = await first;
    expect(cases.reports.map(({ token, request }) => [token, request.serviceCode, request.districtId !== null])).toEqual([[reports[0]!.token, 'garbage', true]]);
    expect(cases.refusedReports).toEqual([{ token: reports[1]!.token, reason: 'outside-city' }]);
    expect(cases.alarms).toEqual([{ ref: '110:P-1', incidentId: expect.any(Number) }]);
    expect(cases.incidents.map((incident) => incident.sourceRef).sort()).toEqual(['110:P-1', String(cases.reports[0]!.request.id)].sort());

    // The same events again (a replay after a crash): the same request and incident, nothing new opened.
    const again = casesThrough(6, 3);
    await bus.publish(events);
    const replayed = await again;
    expect(replayed.reports.map(({ request }) => request.id)).toEqual([cases.reports[0]!.request.id]);
    expect(replayed.alarms).toEqual(cases.alarms);
    expect(replayed.incidents).toEqual([]);
  });
});
