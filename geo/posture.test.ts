import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { createRoadRouter, readCasePosture, readCoverage, readRoadGraph, type Database, type LonLat } from './index.ts';
import { openWithCity, shortestRoadSeconds, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const [d0, d1] = city.districts.map((d) => d.id);
const [c0, c1, c2] = city.gridCells.map((c) => c.id);
const from = Date.parse('2026-11-20T00:00:00Z');
const to = Date.parse('2026-11-21T00:00:00Z');
const day = { from, to, bucketMs: 3_600_000, districtId: null, cellId: null };
/** A day of hourly buckets, all 0 but those given. */
const hours = (counts: Record<number, number>) => Array.from({ length: 24 }, (_, hour) => counts[hour] ?? 0);

// A hand-made day of cases; the expected figures below are counted by hand from it.
const cases = [
  { ref: 'A', category: 'garbage', district: d0, cell: c0, reported: '2026-11-20T01:10:00Z', due: '2026-11-21T01:10:00Z', status: 'closed', closed: '2026-11-20T03:10:00Z' },
  { ref: 'B', category: 'noise', district: d0, cell: c0, reported: '2026-11-20T01:40:00Z', due: '2026-11-20T05:40:00Z', status: 'closed', closed: '2026-11-20T07:40:00Z' },
  { ref: 'C', category: 'manhole', district: d1, cell: c1, reported: '2026-11-20T02:05:00Z', due: '2026-11-20T04:05:00Z', status: 'registered' },
  { ref: 'D', category: 'garbage', district: d1, cell: c1, reported: '2026-11-19T23:00:00Z', due: '2026-11-20T23:00:00Z', status: 'answered', answered: '2026-11-20T06:00:00Z' },
  { ref: 'E', category: 'garbage', district: d0, cell: c2, reported: '2026-11-20T02:30:00Z', due: '2026-11-21T02:30:00Z', status: 'cancelled', cancelled: '2026-11-20T02:45:00Z' },
  { ref: 'F', category: 'garbage', district: d0, cell: c0, reported: '2026-11-21T00:30:00Z', due: '2099-01-01T00:00:00Z', status: 'registered' },
];

describe.each(testBackends())('case posture on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
    for (const c of cases) {
      const [{ id }] = (await db.query<{ id: number }>(
        `INSERT INTO incidents (source, source_ref, category, severity, status, geom, district_id, cell_id, reported_at, due_at, updated_at)
         VALUES ('report', $1, $2, 1, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, now()) RETURNING id::int AS id`,
        [`fixture-${c.ref}`, c.category, c.status, city.center[0], city.center[1], c.district, c.cell, c.reported, c.due],
      )) as [{ id: number }];
      // Each case's history, as the server writes it: registered when reported, then each change.
      const changes = [['registered', c.reported], ['answered', c.answered], ['cancelled', c.cancelled], ['closed', c.closed]].filter(([, at]) => at);
      for (const [to, at] of changes) await db.query(`INSERT INTO incident_history (incident_id, at, actor, from_status, to_status) VALUES ($1, $2, 'dispatcher', NULL, $3)`, [id, at, to]);
    }
  });
  afterAll(() => db.close());

  it('counts the day city-wide as by hand', async () => {
    expect(await readCasePosture(db, day)).toEqual({
      opened: 4, // A B C E
      closed: 2, // A B
      openNow: 3, // C D F
      overdueNow: 1, // C (D is answered, F not yet due)
      // A took 120 min of its 1440; B 360 of its 240.
      handling: { closed: 2, meanMinutes: 240, meanSlaMinutes: 840, onTimeShare: 0.5 },
      byCategory: [
        { category: 'garbage', nameZh: '垃圾堆放', nameEn: 'Garbage piled up', opened: 2 },
        { category: 'manhole', nameZh: '井盖缺失', nameEn: 'Missing manhole cover', opened: 1 },
        { category: 'noise', nameZh: '噪声扰民', nameEn: 'Noise nuisance', opened: 1 },
      ],
      byDistrict: [
        { districtId: d0, opened: 3 },
        { districtId: d1, opened: 1 },
      ],
      byBucket: hours({ 1: 2, 2: 2 }), // A B at 01:xx, C E at 02:xx
      topCells: [
        { cellId: c0, opened: 2 },
        { cellId: c1, opened: 1 },
        { cellId: c2, opened: 1 },
      ],
    });
  });

  it('counts one district as by hand', async () => {
    expect(await readCasePosture(db, { ...day, districtId: d1! })).toMatchObject({
      opened: 1, // C
      closed: 0,
      openNow: 2, // C D
      overdueNow: 1, // C
      handling: { closed: 0, meanMinutes: null, meanSlaMinutes: null, onTimeShare: null },
      byCategory: [{ category: 'manhole', opened: 1 }],
      byDistrict: [{ districtId: d1, opened: 1 }],
      topCells: [{ cellId: c1, opened: 1 }],
    });
  });

  it('counts one grid cell as by hand', async () => {
    expect(await readCasePosture(db, { ...day, districtId: d0!, cellId: c0! })).toMatchObject({
      opened: 2, // A B
      closed: 2, // A B
      openNow: 1, // F
      overdueNow: 0,
      byBucket: hours({ 1: 2 }),
      topCells: [{ cellId: c0, opened: 2 }],
    });
  });

  it('counts as they were at a past moment (a replay): each case\'s status then, nothing after it', async () => {
    expect(await readCasePosture(db, day, Date.parse('2026-11-20T02:10:00Z'))).toMatchObject({
      opened: 3, // A B C (E comes at 02:30)
      closed: 0, // A closes at 03:10
      openNow: 4, // A B C D all registered then
      overdueNow: 0, // C is due at 04:05
      byBucket: hours({ 1: 2, 2: 1 }),
    });
    expect(await readCasePosture(db, day, Date.parse('2026-11-20T05:00:00Z'))).toMatchObject({
      opened: 4, // A B C E
      closed: 1, // A
      openNow: 3, // B C D (A closed, E cancelled; D answered only at 06:00)
      overdueNow: 1, // C, due at 04:05
      handling: { closed: 1, meanMinutes: 120 },
    });
    expect(await readCasePosture(db, { ...day, districtId: d1! }, Date.parse('2026-11-20T05:00:00Z'))).toMatchObject({ opened: 1, openNow: 2, overdueNow: 1 });
  });

  it('counts the grid cells an available unit reaches by road in time, as an independent shortest path does', async () => {
    const cars = city.entities.filter((e) => e.kind === 'police-car').slice(0, 2);
    await db.query(`UPDATE entities SET updated_at = now() WHERE id = ANY($1::text[])`, [cars.map((car) => car.id)]);
    const coverage = await readCoverage(db, createRoadRouter(await readRoadGraph(db)), { minutes: 2 });
    const cells = await db.query<{ id: string; lon: number; lat: number }>(`SELECT id, ST_X(ST_PointOnSurface(geom)) AS lon, ST_Y(ST_PointOnSurface(geom)) AS lat FROM grid_cells`);
    const fromCars = await Promise.all(cars.map((car) => shortestRoadSeconds(db, car.point)));
    const seconds = cells.map((cell) => Math.min(...fromCars.map((from) => from([cell.lon, cell.lat] as LonLat))));
    const police = coverage.agencies.find((a) => a.agency === 'police')!;
    expect([police.units, police.cells]).toEqual([2, city.gridCells.length]);
    // The same count, give or take a cell exactly at the limit.
    expect(police.covered).toBeGreaterThanOrEqual(seconds.filter((s) => s <= 119.5).length);
    expect(police.covered).toBeLessThanOrEqual(seconds.filter((s) => s <= 120.5).length);
    expect(police.covered).toBeGreaterThan(0);
    expect(police.share).toBeCloseTo(police.covered / police.cells, 10);
    expect(police.byDistrict.reduce((sum, d) => sum + d.covered, 0)).toBe(police.covered);
    expect(coverage.agencies.find((a) => a.agency === 'city'), 'no inspector on duty').toMatchObject({ units: 0, covered: 0 });
    const sorted = [...seconds].sort((a, b) => a - b);
    const middle = (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
    expect(police.medianS, 'the median road time to a cell').toBeCloseTo(middle, -1);
    const oneDistrict = await readCoverage(db, createRoadRouter(await readRoadGraph(db)), { minutes: 2, districtId: d0 });
    expect(oneDistrict.agencies[0]!.cells).toBe(city.gridCells.filter((c) => c.districtId === d0).length);
    const cellId = city.gridCells[3]!.id;
    const oneCell = await readCoverage(db, createRoadRouter(await readRoadGraph(db)), { minutes: 2, cellId });
    const cellSeconds = seconds[cells.findIndex((cell) => cell.id === cellId)]!;
    expect(oneCell.agencies[0]).toMatchObject({ cells: 1, covered: cellSeconds <= 120 ? 1 : 0 });
    expect(oneCell.agencies[0]!.medianS, "one cell's own road time").toBeCloseTo(cellSeconds, -1);
  });
});
