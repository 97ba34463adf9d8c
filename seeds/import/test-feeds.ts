// For tests only: the imaginary GTFS feed of sample-gtfs-feed (ISC licence; one bus route, A, with
// two trips on their own shapes, and three tram routes the product passes over, around a made-up
// Berlin), districts over it (and a database holding them), and a variant of the feed that runs today.
import { appendFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { migrate, type Database } from '../../geo/index.ts';
import type { TestBackend } from '../../geo/test-support.ts';
import { importCityData } from './import-city.ts';

const samplePackage = dirname(createRequire(import.meta.url).resolve('sample-gtfs-feed/package.json'));
export const sampleGtfsZip = join(samplePackage, 'gtfs.zip');
export const sampleGtfsFolder = join(samplePackage, 'gtfs');
export const sampleCity = { id: 'sample-berlin', nameZh: '样例柏林', nameEn: 'Sample Berlin' };

/** Two districts over the sample feed's area, west and east of 13.48° E, as a GeoJSON file in `dir`. */
export function writeSampleDistricts(dir: string): string {
  const rectangle = (west: number, south: number, east: number, north: number) => [[[west, south], [east, south], [east, north], [west, north], [west, south]]];
  const file = join(dir, 'districts.geojson');
  const features = [
    { type: 'Feature', id: 'west', properties: { name_zh: '西区', name_en: 'West' }, geometry: { type: 'Polygon', coordinates: rectangle(13.4, 52.34, 13.48, 52.52) } },
    { type: 'Feature', properties: { code: 'east', name: 'East' }, geometry: { type: 'Polygon', coordinates: rectangle(13.48, 52.34, 13.56, 52.52) } },
  ];
  writeFileSync(file, JSON.stringify({ type: 'FeatureCollection', features }, null, 2));
  return file;
}

/**
 * The sample feed changed so that route A runs now, whenever the test runs: its service extended
 * to 2099 (the sample's ends in 2019) and both trips run every `headwayS` all day by frequencies.txt
 * (the last runs of a day end past midnight, on that service day).
 */
export function writeRunningSampleFeed(dir: string, headwayS = 300): string {
  const feed = join(dir, 'running-gtfs');
  cpSync(sampleGtfsFolder, feed, { recursive: true });
  writeFileSync(join(feed, 'calendar.txt'), readFileSync(join(feed, 'calendar.txt'), 'utf8').replace('all-day,1,1,1,1,1,1,1,20190301,20190820', 'all-day,1,1,1,1,1,1,1,20190101,20991231'));
  appendFileSync(join(feed, 'frequencies.txt'), `a-downtown-all-day,00:00:00,24:00:00,${headwayS},1\na-outbound-all-day,00:00:00,24:00:00,${headwayS},1\n`);
  return feed;
}

/** For a describe block: a fresh database on `backend` holding the sample districts (the city named), closed after. */
export function sampleCityDatabase(backend: TestBackend, dir: string): { db: Database } {
  const context = {} as { db: Database };
  beforeAll(async () => {
    context.db = await backend.open();
    await migrate(context.db);
    await importCityData(context.db, { kind: 'districts', paths: [writeSampleDistricts(dir)], crs: 'wgs84', city: sampleCity });
  }, 60_000);
  afterAll(() => context.db?.close());
  return context;
}
