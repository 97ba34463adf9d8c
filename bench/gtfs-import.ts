// A large city's timetable: a GTFS feed of 200 bus routes (a 10-km shape and 40 stops each) with
// as many trips as it takes to reach the stop-time counts below, imported on each back end: how
// long it takes, how much memory the import holds at most, and what the live delay costs a tick
// (500 buses on their trips, each report's place on its trip's shape and its scheduled time).
// The smallest feed is the baseline the larger are read against.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrate, persistPositionBatch, registerBuses, updateBusProgress, type Database } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { importCityData } from '../seeds/import/import-city.ts';
import { sampleCity, writeSampleDistricts } from '../seeds/import/test-feeds.ts';
import type { PositionEvent } from '../streams/index.ts';
import { backendName, type BenchOutput } from './report.ts';
import { percentile, timed } from './timing.ts';

const routes = 200;
const stopsPerRoute = 40;
const stopTimeCounts = [48_000, 480_000];
const buses = 500;
// Inside the sample districts (Berlin): routes side by side, 60 m apart, running east 10 km.
const [west, south] = [13.41, 52.36];
const degPerMetreLat = 1 / 111_320;
const degPerMetreLon = 1 / (111_320 * Math.cos((south * Math.PI) / 180));

function writeFeed(dir: string, stopTimes: number): string {
  const tripsPerRoute = Math.ceil(stopTimes / (routes * stopsPerRoute));
  const feed = join(dir, `gtfs-${stopTimes}`);
  mkdirSync(feed);
  const rows = (header: string, lines: string[]) => `${header}\n${lines.join('\n')}\n`;
  const hhmmss = (s: number) => [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  const at = (route: number, metres: number) => [west + metres * degPerMetreLon, south + route * 60 * degPerMetreLat];
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  writeFileSync(join(feed, 'agency.txt'), rows('agency_id,agency_name,agency_url,agency_timezone', ['big,Big City Bus,https://bus.example,Europe/Berlin']));
  writeFileSync(join(feed, 'calendar.txt'), rows('service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date', ['daily,1,1,1,1,1,1,1,20200101,20991231']));
  writeFileSync(join(feed, 'routes.txt'), rows('route_id,agency_id,route_short_name,route_long_name,route_type', range(routes).map((r) => `r${r},big,${r},Route ${r},3`)));
  writeFileSync(join(feed, 'shapes.txt'), rows('shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence', range(routes).flatMap((r) => range(101).map((k) => { const [lon, lat] = at(r, k * 100); return `s${r},${lat!.toFixed(6)},${lon!.toFixed(6)},${k + 1}`; }))));
  writeFileSync(join(feed, 'stops.txt'), rows('stop_id,stop_name,stop_lat,stop_lon', range(routes).flatMap((r) => range(stopsPerRoute).map((k) => { const [lon, lat] = at(r, (k * 10_000) / (stopsPerRoute - 1)); return `st${r}-${k},Stop ${r}-${k},${(lat! - 8 * degPerMetreLat).toFixed(6)},${lon!.toFixed(6)}`; }))));
  // Trips every 4 minutes from 05:00, 50 s between stops.
  writeFileSync(join(feed, 'trips.txt'), rows('route_id,service_id,trip_id,shape_id', range(routes).flatMap((r) => range(tripsPerRoute).map((t) => `r${r},daily,t${r}-${t},s${r}`))));
  const stopTimeLines = range(routes).flatMap((r) => range(tripsPerRoute).flatMap((t) => range(stopsPerRoute).map((k) => { const time = hhmmss(5 * 3600 + t * 240 + k * 50); return `t${r}-${t},${time},${time},st${r}-${k},${k + 1}`; })));
  writeFileSync(join(feed, 'stop_times.txt'), rows('trip_id,arrival_time,departure_time,stop_id,stop_sequence', stopTimeLines));
  return feed;
}

interface Imported {
  importS: number;
  rssMb: number;
  trips: number;
  tickMs: number;
}

async function measure(db: Database, feed: string): Promise<Imported> {
  await importCityData(db, { kind: 'districts', paths: [writeSampleDistricts(feed)], crs: 'wgs84', city: sampleCity });
  let peakMb = process.memoryUsage().rss / 1e6;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, process.memoryUsage().rss / 1e6)), 50);
  const beforeMb = peakMb;
  const started = performance.now();
  const report = await importCityData(db, { kind: 'gtfs', paths: [feed], crs: 'wgs84' });
  const importS = (performance.now() - started) / 1000;
  clearInterval(sampler);
  // 500 buses, each on a trip of its own, reporting from a point along its route.
  const ids = Array.from({ length: buses }, (_, i) => `bus-${i}`);
  await registerBuses(db, ids.map((id, i) => ({ id, label: id, routeId: `r${i % routes}` })));
  const report$ = (second: number): PositionEvent[] =>
    ids.map((id, i) => {
      const route = i % routes;
      const metres = ((i * 37 + second * 10) % 100) * 100;
      const now = Date.now();
      return { type: 'position', sourceId: 'bench', entityId: id, lon: west + metres * degPerMetreLon, lat: south + route * 60 * degPerMetreLat, headingDeg: 90, speedKmh: 30, eventTime: now, receivedAt: now, attributes: { tripId: `t${route}-${Math.floor(i / routes)}` } };
    });
  let second = 0;
  const tick = await timed(async () => {
    second += 1;
    await db.transaction(async (tx) => {
      const moved = await persistPositionBatch(tx, report$(second));
      await updateBusProgress(tx, moved.map((e) => e.id));
    });
  }, 5);
  const trips = report.changes.find((change) => change.table === 'bus_trips')?.added ?? 0;
  return { importS, rssMb: peakMb - beforeMb, trips, tickMs: percentile(tick, 50) };
}

export async function benchGtfsImport(): Promise<BenchOutput> {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-bench-gtfs-'));
  const output: BenchOutput = [];
  const said = (count: number, run: Imported) => `${count.toLocaleString('en')} stop times (${run.trips.toLocaleString('en')} trips) imported in ${run.importS.toFixed(1)} s, RSS +${run.rssMb.toFixed(0)} MB; a tick of ${buses} buses' delays ${run.tickMs.toFixed(0)} ms (p50 of 5)`;
  try {
    const feeds = stopTimeCounts.map((count) => [count, writeFeed(dir, count)] as const);
    for (const backend of testBackends()) {
      const runs: Imported[] = [];
      for (const [, feed] of feeds) {
        const db = await backend.open();
        try {
          await migrate(db);
          runs.push(await measure(db, feed));
        } finally {
          await db.close();
        }
      }
      // The smallest feed is the baseline the largest is read against: ten times the data.
      const [small, large] = [runs[0]!, runs.at(-1)!];
      output.push({
        figure: `a GTFS timetable of ${stopTimeCounts.at(-1)!.toLocaleString('en')} stop times (${routes} routes, ${stopsPerRoute} stops each): the import, and a tick of ${buses} buses' delays against it, ${backendName(backend)}`,
        measured: said(stopTimeCounts.at(-1)!, large),
        baseline: said(stopTimeCounts[0]!, small),
        ratio: `${(large.importS / small.importS).toFixed(1)}× the import time for ${(stopTimeCounts.at(-1)! / stopTimeCounts[0]!).toFixed(0)}× the data; tick ${(large.tickMs / small.tickMs).toFixed(2)}×`,
        target: '—',
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return output;
}
