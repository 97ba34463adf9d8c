// An OpenStreetMap extract (.osm.pbf, written by osmium from Debian, as Geofabrik's are) as roads,
// the routing graph and water.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../../geo/test-support.ts';
import { importCityData } from './import-city.ts';
import { sampleCityDatabase } from './test-feeds.ts';

const osmium = '/usr/bin/osmium';
const work = mkdtempSync(join(tmpdir(), 'onescreen-osm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const nodes: [number, number, number][] = [
  [1, 13.42, 52.4], [2, 13.44, 52.4], [3, 13.46, 52.4], [4, 13.44, 52.38], [5, 13.44, 52.42],
  [6, 13.45, 52.43], [7, 13.46, 52.43], [8, 13.46, 52.44], [9, 13.45, 52.44], [10, 13.43, 52.41],
  // A lake of 0.02° with an island of 0.01°, as a multipolygon.
  [20, 13.47, 52.43], [21, 13.49, 52.43], [22, 13.49, 52.45], [23, 13.47, 52.45],
  [24, 13.475, 52.435], [25, 13.485, 52.435], [26, 13.485, 52.445], [27, 13.475, 52.445],
];
const relation = (id: number, members: [number, string][], tags: Record<string, string>) =>
  `<relation id="${id}" version="1">${members.map(([ref, role]) => `<member type="way" ref="${ref}" role="${role}"/>`).join('')}${Object.entries(tags).map(([k, v]) => `<tag k="${k}" v="${v}"/>`).join('')}</relation>`;
const way = (id: number, refs: number[], tags: Record<string, string>) =>
  `<way id="${id}" version="1">${refs.map((ref) => `<nd ref="${ref}"/>`).join('')}${Object.entries(tags).map(([k, v]) => `<tag k="${k}" v="${v}"/>`).join('')}</way>`;
const xml = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6" generator="onescreen tests">
${nodes.map(([id, lon, lat]) => `<node id="${id}" version="1" lat="${lat}" lon="${lon}"/>`).join('\n')}
${way(100, [1, 2, 3], { highway: 'primary', name: '友谊路', 'name:en': 'Youyi Road', maxspeed: '50' })}
${way(101, [4, 2, 5], { highway: 'residential', name: '准噶尔街', oneway: 'yes' })}
${way(102, [5, 10], { highway: 'footway' })}
${way(103, [6, 7, 8, 9, 6], { natural: 'water', name: '九龙潭' })}
${way(104, [3, 99], { highway: 'tertiary' })}
${way(200, [20, 21, 22], {})}
${way(201, [20, 23, 22], {})}
${way(202, [24, 25, 26, 27, 24], {})}
${way(203, [24, 26], {})}
${relation(300, [[200, 'outer'], [201, 'outer'], [202, 'inner']], { type: 'multipolygon', natural: 'water', name: '月亮湖' })}
${relation(301, [[203, 'outer']], { type: 'multipolygon', natural: 'water' })}
</osm>`;

describe.each(testBackends())('importing an OpenStreetMap extract on the $name database', (backend) => {
  const city = sampleCityDatabase(backend, work);
  let extract: string;
  beforeAll(() => {
    if (!existsSync(osmium)) throw new Error('osmium is required to write the test extract: apt-get install -y osmium-tool');
    writeFileSync(join(work, 'city.osm'), xml);
    extract = join(work, `city-${backend.name}.osm.pbf`);
    execFileSync(osmium, ['cat', join(work, 'city.osm'), '-o', extract, '--overwrite']);
  });

  it('takes the roads for vehicles, split at shared nodes, and closed water ways, naming what it cannot take', async () => {
    const report = await importCityData(city.db, { kind: 'osm', paths: [extract], crs: 'wgs84' });
    expect(report.refused).toEqual([
      { file: expect.stringMatching(/^city-.*\.osm\.pbf way$/), line: 104, field: 'refs', reason: expect.stringContaining('osmium extract --strategy complete_ways') },
      { file: expect.stringMatching(/^city-.*\.osm\.pbf relation$/), line: 301, field: 'members', reason: expect.stringContaining('do not close into rings') },
    ]);
    expect(report.skipped).toEqual({ [`${report.files[0]!.path} way: not a road for vehicles (footway)`]: 1 });
    expect(await city.db.query(`SELECT id, name_zh AS zh, name_en AS en, class FROM roads ORDER BY id`)).toEqual([
      { id: 'osm-100', zh: '友谊路', en: 'Youyi Road', class: 'arterial' },
      { id: 'osm-101', zh: '准噶尔街', en: '准噶尔街', class: 'local' },
    ]);
    const segments = await city.db.query<{ id: string; from: number; to: number; kmh: number; oneWay: boolean }>(`SELECT id, from_node AS from, to_node AS to, speed_limit_kmh AS kmh, one_way AS "oneWay" FROM road_segments ORDER BY id`);
    expect(segments.map((s) => [s.id, s.kmh, s.oneWay])).toEqual([['osm-100-1', 50, false], ['osm-100-2', 50, false], ['osm-101-1', 30, true], ['osm-101-2', 30, true]]);
    expect(segments[0]!.to).toBe(segments[2]!.to);
    const [pond, lake] = await city.db.query<{ id: string; name: string; m2: number; islands: number }>(`SELECT id, name_zh AS name, ST_Area(geom::geography) AS m2, ST_NumInteriorRings(geom) AS islands FROM water ORDER BY id`);
    expect(pond).toMatchObject({ id: 'osm-103', name: '九龙潭', islands: 0 });
    // 0.01° × 0.01° at 52.43° N.
    expect(pond!.m2).toBeGreaterThan(750_000);
    expect(pond!.m2).toBeLessThan(770_000);
    // Its two outer ways joined (one of them backwards), its island cut out: 4 − 1 such squares.
    expect(lake).toMatchObject({ id: 'osm-r300-1', name: '月亮湖', islands: 1 });
    expect(lake!.m2 / pond!.m2).toBeCloseTo(3, 1);

    const again = await importCityData(city.db, { kind: 'osm', paths: [extract], crs: 'wgs84' });
    expect(again.changes.every((change) => change.added + change.changed + change.removed === 0)).toBe(true);
  });
});
