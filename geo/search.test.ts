import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { crossingRoads } from './search.ts';
import { searchCity, type Database } from './index.ts';
import { openWithCity, testBackends } from './test-support.ts';

const city = generateCity(cityProfiles.dashiqiao);

describe.each(testBackends())('searching the city on the $name database', (backend) => {
  let db: Database;
  beforeAll(async () => {
    db = await openWithCity(backend, city);
  });
  afterAll(() => db.close());

  it('finds a unit by id and by plate, exact match first, at its position', async () => {
    const car = city.entities.find((e) => e.kind === 'police-car')!;
    const [byId] = await searchCity(db, car.id.toUpperCase());
    expect(byId).toMatchObject({ kind: 'entity', id: car.id, nameZh: car.label, detail: 'police-car' });
    expect([byId!.lon, byId!.lat]).toEqual([car.point[0], car.point[1]]);
    const [byPlate] = await searchCity(db, car.label);
    expect(byPlate).toMatchObject({ kind: 'entity', id: car.id });
  });

  it('finds a camera by id and places by Chinese or English name', async () => {
    const camera = city.cameras[3]!;
    const [found] = await searchCity(db, camera.id);
    expect(found).toMatchObject({ kind: 'camera', id: camera.id });
    const district = city.districts[0]!;
    expect((await searchCity(db, district.nameZh))[0]).toMatchObject({ kind: 'place', id: district.id, detail: 'district' });
    expect((await searchCity(db, district.nameEn.toLowerCase()))[0]).toMatchObject({ kind: 'place', id: district.id });
    const road = city.roads[0]!;
    expect(await searchCity(db, road.nameZh)).toContainEqual(expect.objectContaining({ kind: 'place', id: road.id, detail: 'road', lon: expect.any(Number) }));
  });

  it('finds a crossing by its two roads, as a caller names it, at the node where they meet', async () => {
    // A node two different roads' segments end at, and where it is.
    const ends = city.roadSegments.flatMap((s) => [{ node: s.fromNode, roadId: s.roadId, at: s.line[0]! }, { node: s.toNode, roadId: s.roadId, at: s.line.at(-1)! }]);
    const crossing = ends.find((a) => ends.some((b) => b.node === a.node && b.roadId !== a.roadId))!;
    const other = ends.find((b) => b.node === crossing.node && b.roadId !== crossing.roadId)!;
    const [a, b] = [crossing.roadId, other.roadId].map((id) => city.roads.find((road) => road.id === id)!);
    for (const term of [`${a!.nameZh}与${b!.nameZh}交叉口`, `${a!.nameZh}·${b!.nameZh}`, `${a!.nameEn} & ${b!.nameEn}`, `${b!.nameEn.toLowerCase()} / ${a!.nameEn.toLowerCase()}`]) {
      const hits = await searchCity(db, term);
      const hit = hits.find((h) => h.id === `crossing-${crossing.node}`);
      expect(hit, term).toMatchObject({ kind: 'place', detail: 'crossing', nameZh: expect.stringContaining('交叉口'), nameEn: expect.stringContaining(' & ') });
      expect([hit!.lon, hit!.lat], term).toEqual([expect.closeTo(crossing.at[0], 9), expect.closeTo(crossing.at[1], 9)]);
      expect(hits[0]!.detail, term).toBe('crossing');
    }
    expect(crossingRoads('准噶尔路')).toBeUndefined();
    expect(crossingRoads('和平路与友谊街路口')).toEqual(['和平路', '友谊街']);
  });

  it('takes LIKE and SQL metacharacters as plain text', async () => {
    for (const term of ['%', '_', "' OR 1=1 --", '\\']) expect(await searchCity(db, term), term).toEqual([]);
    expect(await searchCity(db, 'pc-', 3)).toHaveLength(3);
  });
});
