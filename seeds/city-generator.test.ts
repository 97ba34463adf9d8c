import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, it } from 'vitest';
import { distanceMetres, distanceToLine, type LonLat } from '../geo/index.ts';
import { cityProfileIds, cityProfiles, generateCity } from './index.ts';

const karamay = generateCity(cityProfiles.karamay);
const count = (kind: string) => karamay.entities.filter((e) => e.kind === kind).length;

const distanceToRoads = (point: LonLat) => Math.min(...karamay.roadSegments.map((segment) => distanceToLine(point, segment.line)));

describe('the city generator', () => {
  it('builds the same city from the same profile', () => {
    expect(JSON.stringify(generateCity(cityProfiles.karamay))).toBe(JSON.stringify(karamay));
  });

  it("gives Karamay the source documents' numbers, at Karamay", () => {
    expect(karamay.cameraSites).toHaveLength(830);
    expect(karamay.cameras).toHaveLength(1_710);
    expect(karamay.communities).toHaveLength(84);
    expect(karamay.communities.reduce((sum, c) => sum + c.residents, 0)).toBeCloseTo(250_000, -2);
    expect({ police: count('police-car'), officers: count('police-officer'), buses: count('bus'), taxis: count('taxi') }).toEqual({
      police: 280,
      officers: 500,
      buses: 400,
      taxis: 1_242,
    });
    expect(distanceMetres(karamay.center, [84.87, 45.6])).toBeLessThan(5_000);
  });

  it("gives Dashiqiao its police cars, camera points, light posts and GPS trucks", () => {
    const dashiqiao = generateCity(cityProfiles.dashiqiao);
    const sites = (kind: string) => dashiqiao.cameraSites.filter((s) => s.kind === kind).length;
    expect({ hd: sites('hd-video'), ePolice: sites('e-police'), lights: sites('smart-light') }).toEqual({ hd: 93, ePolice: 28, lights: 17 });
    expect(dashiqiao.entities.filter((e) => e.kind === 'police-car')).toHaveLength(75);
    expect(dashiqiao.entities.filter((e) => e.kind === 'truck')).toHaveLength(1_208);
  });

  it.each(cityProfileIds)('builds %s with every layer populated', (id) => {
    const city = generateCity(cityProfiles[id]);
    for (const layer of ['districts', 'communities', 'gridCells', 'water', 'roads', 'roadSegments', 'cameraSites', 'policeStations', 'busStops', 'busRoutes', 'entities'] as const) {
      expect(city[layer].length, layer).toBeGreaterThan(0);
    }
  });

  it('cuts grid-management cells of 300–500 m, each owned by the district holding its centre', () => {
    for (const cell of karamay.gridCells) {
      const [sw, se, ne] = [cell.ring[0]!, cell.ring[1]!, cell.ring[2]!];
      expect(distanceMetres(sw, se)).toBeGreaterThan(300);
      expect(distanceMetres(sw, se)).toBeLessThan(500);
      expect(distanceMetres(se, ne)).toBeGreaterThan(300);
      expect(distanceMetres(se, ne)).toBeLessThan(500);
      const centre: LonLat = [(sw[0] + ne[0]) / 2, (sw[1] + ne[1]) / 2];
      const owner = karamay.districts.find((d) => d.id === cell.districtId)!;
      expect(booleanPointInPolygon(centre, { type: 'Polygon', coordinates: [owner.ring] })).toBe(true);
    }
  });

  it('lays a street network that is not a perfect lattice: uneven blocks, every road class, ring and diagonal roads', () => {
    const lengths = karamay.roadSegments.map((s) => s.lengthM);
    const mean = lengths.reduce((a, b) => a + b, 0) / lengths.length;
    const spread = Math.sqrt(lengths.reduce((sum, l) => sum + (l - mean) ** 2, 0) / lengths.length);
    expect(spread / mean).toBeGreaterThan(0.15);
    expect(new Set(karamay.roads.map((r) => r.roadClass))).toEqual(new Set(['expressway', 'arterial', 'collector', 'local']));
    expect(karamay.roads.map((r) => r.nameZh)).toEqual(expect.arrayContaining(['环城路', '世纪大道']));
    // Intersections of three and four roads, and some of two where a street ends.
    const degree = new Map<number, number>();
    for (const s of karamay.roadSegments) for (const node of [s.fromNode, s.toNode]) degree.set(node, (degree.get(node) ?? 0) + 1);
    const degrees = new Set(degree.values());
    for (const d of [2, 3, 4]) expect(degrees).toContain(d);
  });

  it('puts camera sites at crossings, bus stops on the streets, and every entity on a street', () => {
    const crossings = new Set(karamay.roadSegments.flatMap((s) => [s.line[0]!.join(), s.line[1]!.join()]));
    for (const site of karamay.cameraSites) expect(crossings.has(site.point.join())).toBe(true);
    for (const stop of karamay.busStops) expect(distanceToRoads(stop.point)).toBeLessThan(1);
    for (const entity of karamay.entities.filter((_, i) => i % 25 === 0)) expect(distanceToRoads(entity.point)).toBeLessThan(1);
    for (const route of karamay.busRoutes) {
      expect(route.stopIds.length).toBeGreaterThanOrEqual(2);
      expect(distanceMetres(route.line[0]!, route.line.at(-1)!)).toBeGreaterThan(3_000);
    }
  });
});
