import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { findStops, lastSeenWithinMs, makeHistoryPartitions, persistPositionBatch, positionsAt, unitTrack, writePositionKeyframe, type Database, type PositionFix, type TrackPoint } from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const hour = 3_600_000;
const minute = 60_000;
// Two minutes into an hour: "ten minutes before" reaches into the hour before, another partition.
const t0 = Math.floor(Date.now() / hour) * hour - 3 * hour + 2 * minute;
const [car, officer, bus] = (['police-car', 'police-officer', 'bus'] as const).map((kind) => city.entities.find((e) => e.kind === kind)!);
const [lon0, lat0] = car!.point;
// Metres east of the car's home point, in degrees of longitude.
const east = (metres: number) => lon0 + metres / (111_320 * Math.cos((lat0 * Math.PI) / 180));
const fix = (entityId: string, lon: number, eventTime: number, speedKmh: number | null = 36): PositionFix => ({
  entityId, lon, lat: lat0, headingDeg: 90, speedKmh, eventTime, receivedAt: eventTime + 300, sourceId: 'test',
});

describe.each(testBackends())('the city\'s past from position history on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
    await makeHistoryPartitions(db, 24, t0 - hour);
  });
  afterAll(() => db.close());

  it('gives each unit where it last reported at or before a moment, within ten minutes, of the kinds asked', async () => {
    await persistPositionBatch(db, [
      fix(car!.id, east(0), t0 - 20 * minute),
      fix(car!.id, east(100), t0 - 5 * minute, 42),
      fix(car!.id, east(900), t0 + minute),
      fix(officer!.id, east(50), t0 - 11 * minute, 5),
      fix(bus!.id, east(300), t0 - minute, 20),
    ]);
    const police = await positionsAt(db, t0, ['police-car', 'police-officer']);
    expect(police).toEqual([
      { id: car!.id, kind: 'police-car', label: car!.label, lon: east(100), lat: lat0, headingDeg: 90, speedKmh: 42, districtId: expect.any(String), cellId: expect.any(String), fixTime: t0 - 5 * minute },
    ]);
    expect((await positionsAt(db, t0, ['police-car', 'police-officer', 'bus'])).map((p) => [p.id, p.fixTime])).toEqual(
      [[car!.id, t0 - 5 * minute], [bus!.id, t0 - minute]].sort(([a], [b]) => String(a).localeCompare(String(b))),
    );
    expect((await positionsAt(db, t0 - 10 * minute, ['police-officer'])).map((p) => p.fixTime), 'the officer, a minute after his fix').toEqual([t0 - 11 * minute]);
    expect(await positionsAt(db, t0 - 30 * minute, ['police-car']), 'before any fix').toEqual([]);
  });

  it('starts from the newest keyframe of the three minutes before, and the fixes since', async () => {
    // A keyframe (as the server keeps one a minute) that has the car somewhere its history does not: read, it shows.
    await db.query(
      `INSERT INTO position_keyframes (at, entity_id, fix_time, geom, heading_deg, speed_kmh) VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), 90, 30)`,
      [new Date(t0 - 1.5 * minute).toISOString(), car!.id, new Date(t0 - 4 * minute).toISOString(), east(200), lat0],
    );
    const at = (ms: number) => positionsAt(db, ms, ['police-car', 'bus']).then((units) => units.map((p) => [p.id, p.fixTime, Number(p.lon.toFixed(7))]));
    const byId = (rows: unknown[][]) => rows.sort(([a], [b]) => String(a).localeCompare(String(b)));
    expect(await at(t0), 'the car from the keyframe, the bus from its fix after it').toEqual(byId([[car!.id, t0 - 4 * minute, Number(east(200).toFixed(7))], [bus!.id, t0 - minute, Number(east(300).toFixed(7))]]));
    expect(await at(t0 + minute), 'a fix after the keyframe wins').toEqual(byId([[car!.id, t0 + minute, Number(east(900).toFixed(7))], [bus!.id, t0 - minute, Number(east(300).toFixed(7))]]));
    expect(await at(t0 - 4 * minute), 'before the keyframe: the fixes of the ten minutes').toEqual([[car!.id, t0 - 5 * minute, Number(east(100).toFixed(7))]]);
    expect(await at(t0 + 10 * minute), 'the keyframe too old: the fixes of the ten minutes').toEqual([[car!.id, t0 + minute, Number(east(900).toFixed(7))]]);

    // The server's keyframe: every unit reported within ten minutes, where it is now; one a half minute at most.
    const now = Date.now();
    await persistPositionBatch(db, [fix(officer!.id, east(700), now - 1_000)]);
    expect(await writePositionKeyframe(db, lastSeenWithinMs, now)).toBe(1);
    expect(await writePositionKeyframe(db, lastSeenWithinMs, now + 10_000), 'one kept a moment ago').toBe(0);
    expect((await positionsAt(db, now + 20_000, ['police-officer'])).map((p) => [p.id, p.fixTime])).toEqual([[officer!.id, now - 1_000]]);
  });

  it('gives one unit\'s track over a window, oldest first, with where it stood still', async () => {
    const start = t0 + 10 * minute;
    const driving = Array.from({ length: 7 }, (_, i) => fix(officer!.id, east(i * 100), start + i * 10_000, 36));
    // Stood still three minutes at 600 m, the GPS wandering a few metres.
    const standing = Array.from({ length: 19 }, (_, i) => fix(officer!.id, east(600 + (i % 3) * 4), start + 70_000 + i * 10_000, 0));
    const away = Array.from({ length: 3 }, (_, i) => fix(officer!.id, east(700 + i * 100), start + 270_000 + i * 10_000, 36));
    await persistPositionBatch(db, [...driving, ...standing, ...away]);

    const track = (await unitTrack(db, officer!.id, start, start + 10 * minute))!;
    expect(track.unit).toEqual({ id: officer!.id, kind: 'police-officer', label: officer!.label });
    expect(track.points.map((p) => p.at)).toEqual([...driving, ...standing, ...away].map((f) => f.eventTime));
    expect(track.points[3]).toEqual({ lon: expect.closeTo(east(300), 9), lat: lat0, at: start + 30_000, speedKmh: 36, headingDeg: 90 });
    expect(track.stops).toEqual([{ lon: expect.closeTo(east(600), 9), lat: lat0, from: start + 60_000, to: start + 250_000 }]);
    // 600 m driven, 96 m of the GPS wandering 4 m back and forth while it stood, 300 m away.
    expect(track.distanceM).toBeGreaterThanOrEqual(990);
    expect(track.distanceM).toBeLessThanOrEqual(1_000);
    expect((await unitTrack(db, officer!.id, start + 100_000, start + 120_000))!.points.map((p) => p.at), 'only the window').toEqual([start + 100_000, start + 110_000, start + 120_000]);
    expect(await unitTrack(db, 'no-such-unit', start, start + minute)).toBeUndefined();
  });
});

describe('stops in a track', () => {
  const at = (seconds: number, metresEast: number): TrackPoint => ({ lon: east(metresEast), lat: lat0, at: seconds * 1000, speedKmh: null, headingDeg: null });
  it('counts a stretch within 30 m for two minutes or more, not a shorter one nor a slow drive', () => {
    expect(findStops([at(0, 0), at(60, 10), at(119, 20), at(200, 500)])).toEqual([]);
    expect(findStops([at(0, 0), at(60, 10), at(120, 29), at(130, 500)])).toEqual([{ lon: east(0), lat: lat0, from: 0, to: 120_000 }]);
    expect(findStops(Array.from({ length: 30 }, (_, i) => at(i * 10, i * 20))), 'crawling 2 m/s').toEqual([]);
    expect(findStops([])).toEqual([]);
  });
});
