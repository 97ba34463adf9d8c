import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { listLiveEntities, persistPositionBatch, PlaceIndex, type CityData, type Database, type PositionFix, type Ring } from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);
const polygonOf = (ring: Ring) => ({ type: 'Polygon' as const, coordinates: [ring] });
/** The independent answer: which seed polygons hold the point, by turf. */
function expectedPlace(lon: number, lat: number, places: CityData['gridCells'] | CityData['districts']): string[] {
  return places.filter((place) => booleanPointInPolygon([lon, lat], polygonOf(place.ring))).map((place) => place.id);
}

// An hour ago, whole seconds: old enough to be history.
const t0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
const fix = (entityId: string, lon: number, lat: number, eventTime: number): PositionFix => ({ entityId, lon, lat, headingDeg: 90, speedKmh: 36, eventTime, receivedAt: eventTime + 200, sourceId: 'test', attributes: { batteryPct: 80 } });

describe.each(testBackends())('the per-tick position join on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('places each fix in the grid cell and district that hold it, keeps every fix in history, and moves live state to the latest', async () => {
    const [car, bus] = [city.entities.find((e) => e.kind === 'police-car')!, city.entities.find((e) => e.kind === 'bus')!];
    // Points spread over the city, including cells far from each other.
    const [a, b, c] = [city.gridCells[3]!, city.gridCells[140]!, city.gridCells.at(-5)!].map((cell) => {
      const [w, s] = cell.ring[0]!;
      const [e, n] = cell.ring[2]!;
      return [w + (e - w) * 0.3, s + (n - s) * 0.6] as const;
    });
    const batch = [fix(car.id, a![0], a![1], t0), fix(car.id, b![0], b![1], t0 + 5_000), fix(bus.id, c![0], c![1], t0 + 1_000), fix('no-such-unit', a![0], a![1], t0)];

    const moved = await persistPositionBatch(db, batch);

    expect(moved.map((e) => e.id).sort()).toEqual([bus.id, car.id].sort());
    const movedCar = moved.find((e) => e.id === car.id)!;
    expect([movedCar.lon, movedCar.lat]).toEqual([b![0], b![1]]);
    expect(movedCar.fixTime).toBe(t0 + 5_000);
    for (const entity of moved) {
      expect([entity.cellId]).toEqual(expectedPlace(entity.lon, entity.lat, city.gridCells));
      expect([entity.districtId]).toEqual(expectedPlace(entity.lon, entity.lat, city.districts));
      expect(entity).toMatchObject({ kind: expect.any(String), status: expect.any(String), headingDeg: 90, speedKmh: 36 });
    }
    const history = await db.query<{ entityId: string; cellId: string }>(
      `SELECT entity_id AS "entityId", cell_id AS "cellId" FROM position_history ORDER BY event_time, entity_id`,
    );
    expect(history.map((h) => h.entityId)).toEqual([car.id, bus.id, car.id]);
    expect(history[0]!.cellId).toBe(expectedPlace(a![0], a![1], city.gridCells)[0]);
  });

  it('never moves live state back to an older fix that arrives late', async () => {
    const car = city.entities.find((e) => e.kind === 'police-car')!;
    const [lon, lat] = city.busStops[0]!.point;
    expect(await persistPositionBatch(db, [fix(car.id, lon, lat, t0 + 2_000)])).toEqual([]);
    const [live] = await listLiveEntities(db, ['police-car']).then((all) => all.filter((e) => e.id === car.id));
    expect(live!.updatedAt).toBe(new Date(t0 + 5_000).toISOString());
  });

  it('places fixes by the polygons as they stand: a change is followed from the next batch, a shared border goes to the lowest id, a hole holds nothing', async () => {
    const places = new PlaceIndex();
    const car = city.entities.find((e) => e.kind === 'police-car')!;
    const [lon, lat] = city.busStops[3]!.point;
    const [before] = await persistPositionBatch(db, [fix(car.id, lon, lat, t0 + 10_000)], places);
    expect([before!.districtId]).toEqual(expectedPlace(lon, lat, city.districts));
    const rolledBack = new Error('roll back: the other tests keep the city as it was');
    const placed = db.transaction(async (tx) => {
      // Two districts meeting on the meridian through the point, and a lower id with a hole around it.
      const square = (west: number, east: number) => `ST_MakeEnvelope(${west}, ${lat - 0.01}, ${east}, ${lat + 0.01}, 4326)`;
      await tx.query(
        `INSERT INTO districts (id, name_zh, name_en, geom) VALUES
           ('0-west', '西', 'West', ${square(lon - 0.01, lon)}), ('0-east', '东', 'East', ${square(lon, lon + 0.01)}),
           ('0-a-ring', '环', 'Ring', ST_MakePolygon(ST_ExteriorRing(${square(lon - 0.02, lon + 0.02)}), ARRAY[ST_ExteriorRing(${square(lon - 0.001, lon + 0.001)})]))`,
      );
      const [onBorder] = await persistPositionBatch(tx, [fix(car.id, lon, lat, t0 + 11_000)], places);
      const [inRing] = await persistPositionBatch(tx, [fix(car.id, lon + 0.015, lat, t0 + 12_000)], places);
      throw Object.assign(rolledBack, { districts: [onBorder!.districtId, inRing!.districtId] });
    });
    await expect(placed).rejects.toMatchObject({ districts: ['0-east', '0-a-ring'] });
    const [after] = await persistPositionBatch(db, [fix(car.id, lon, lat, t0 + 13_000)], places);
    expect(after!.districtId).toBe(before!.districtId);
  });

  it('keeps a unit with history from being removed, as a foreign key would', async () => {
    const car = city.entities.find((e) => e.kind === 'police-car')!;
    await expect(db.query('DELETE FROM entities WHERE id = $1', [car.id])).rejects.toMatchObject({ code: '23503', message: expect.stringContaining('has position history') });
  });

  it('lists live entities by kind', async () => {
    const buses = await listLiveEntities(db, ['bus']);
    expect(buses).toHaveLength(cityProfiles.dashiqiao.buses);
    expect(new Set(buses.map((e) => e.kind))).toEqual(new Set(['bus']));
    expect(await listLiveEntities(db)).toHaveLength(city.entities.length);
  });
});
