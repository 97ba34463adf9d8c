// The posture boards on Karamay with a week of data: every board read per range, as one push
// reads them, and the traffic figures from the rollup against the same figures computed
// from the raw detector records (the baseline), same window, same database.
import {
  createRoadRouter,
  postureWindow,
  readCoverage,
  readPostureBoards,
  readRoadGraph,
  readTrafficPosture,
  type Database,
  type PostureRange,
  type PostureWindow,
} from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { backendName, type BenchOutput } from './report.ts';
import { ms, percentile, timed } from './timing.ts';

const weekMinutes = 7 * 24 * 60;
const casesPerDay = 300;
const silentAfterMs = 180_000;

/** A week of rollups and cases, and the last hour of raw detector records (one per camera a minute), as the live system leaves them. */
async function fillWeek(db: Database): Promise<void> {
  // Rows per minute for the last day, per hour for the week, as the writes leave them.
  const spans = `(VALUES (60, 'minute', 1440), (3600, 'hour', ${weekMinutes / 60})) AS spans(span_s, unit, count), generate_series(0, spans.count) AS step`;
  const start = `date_trunc(spans.unit, now()) - make_interval(secs => step * spans.span_s)`;
  const perSpan = (rows: number) => `${rows} * spans.span_s / 60`;
  await db.query(
    `INSERT INTO traffic_rollup (span_s, start, district_id, readings, weight, delay_weighted)
     SELECT spans.span_s, ${start}, d.id, ${perSpan(280)}, ${perSpan(3000)}, ${perSpan(3000)} * (1.1 + random() * 0.6) FROM ${spans}, districts d`,
  );
  await db.query(
    `INSERT INTO bus_rollup (span_s, start, route_id, observations, on_time, delay_s_sum)
     SELECT spans.span_s, ${start}, r.id, ${perSpan(60)}, ${perSpan(45)}, ${perSpan(60 * 90)} FROM ${spans}, bus_routes r`,
  );
  await db.query(
    `INSERT INTO feed_rollup (span_s, start, source, outcome, count)
     SELECT spans.span_s, ${start}, s, o, CASE o WHEN 'accepted' THEN ${perSpan(1000)} ELSE ${perSpan(3)} END
       FROM ${spans}, unnest(ARRAY['osmand', 'gtfs-rt', 'mqtt', 'http-cameras', 'open311', 'alarms']) s, unnest(ARRAY['accepted', 'malformed']) o`,
  );
  const now = `date_trunc('minute', now())`;
  await db.query(
    `INSERT INTO camera_readings (camera_id, period_start, period_s, volume, occupancy_pct, mean_speed_kmh, received_at, source_id)
     SELECT c.id, ${now} - make_interval(mins => m), 60, 10 + (random() * 20)::int, 12, 20 + random() * 30, now(), 'bench' FROM generate_series(0, 59) m, cameras c`,
  );
  const [{ categories }] = (await db.query<{ categories: string[] }>(`SELECT array_agg(code) AS categories FROM incident_categories`)) as [{ categories: string[] }];
  await db.query(
    `INSERT INTO incidents (source, source_ref, category, severity, status, geom, district_id, cell_id, reported_at, due_at, updated_at)
     SELECT 'report', 'bench-' || g, ($2::text[])[1 + g % array_length($2::text[], 1)], 1, CASE WHEN g % 3 = 0 THEN 'registered' ELSE 'closed' END,
            ST_PointOnSurface(c.geom), c.district_id, c.id, now() - make_interval(mins => (g * 7 * 1440 / $1)), now() - make_interval(mins => (g * 7 * 1440 / $1)) + interval '4 hours', now()
       FROM generate_series(1, $1::int) g JOIN LATERAL (SELECT * FROM grid_cells ORDER BY id OFFSET (g * 37) % (SELECT count(*) FROM grid_cells) LIMIT 1) c ON true`,
    [casesPerDay * 7, categories],
  );
  await db.query(
    `INSERT INTO incident_history (incident_id, at, actor, from_status, to_status)
     SELECT id, reported_at + interval '3 hours', 'bench', 'answered', 'closed' FROM incidents WHERE status = 'closed'`,
  );
  await db.query(`UPDATE entities SET updated_at = now(), geom = geom WHERE kind IN ('police-car', 'police-officer', 'inspector', 'bus')`);
  await db.query(`UPDATE cameras SET last_seen_at = now()`);
  await db.exec('ANALYZE');
}

/** The baseline: the traffic figures of one window straight from the detector records, as a board would without the rollup. */
function trafficFromRecords(db: Database, window: PostureWindow) {
  return db.query(
    `WITH r AS (
       SELECT site.district_id, floor((extract(epoch FROM r.period_start) * 1000 - $1) / $3)::int AS bucket,
              greatest(r.volume, 1) AS weight, greatest(r.volume, 1) * s.speed_limit_kmh / greatest(r.mean_speed_kmh, 5) AS delay_weighted
         FROM camera_readings r JOIN cameras c ON c.id = r.camera_id JOIN camera_sites site ON site.id = c.site_id JOIN road_segments s ON s.id = c.segment_id
        WHERE r.mean_speed_kmh IS NOT NULL AND r.period_start >= to_timestamp($1 / 1000.0) AND r.period_start < to_timestamp($2 / 1000.0)
     )
     SELECT district_id, bucket, sum(delay_weighted) / sum(weight) AS index FROM r GROUP BY GROUPING SETS ((), (district_id), (bucket))`,
    [window.from, window.to, window.bucketMs],
  );
}

export async function benchPostureBoards(): Promise<BenchOutput> {
  const city = generateCity(cityProfiles.karamay);
  const lines: BenchOutput = [];
  for (const backend of testBackends()) {
    const db = await openWithCity(backend, city);
    try {
      await fillWeek(db);
      const router = createRoadRouter(await readRoadGraph(db));
      const boards = (range: PostureRange) =>
        readPostureBoards(db, router, postureWindow(range, Date.now()), { boards: ['cases', 'units', 'traffic', 'buses', 'feeds'], minutes: 5, silentAfterMs: { cameras: silentAfterMs, buses: silentAfterMs } });
      const perRange: string[] = [];
      for (const range of ['live', '1h', '24h', '7d'] as const) {
        await timed(() => boards(range), 3); // warm-up
        const took = await timed(() => boards(range), 15);
        perRange.push(`${range} p50 ${ms(percentile(took, 50))} (max ${ms(Math.max(...took))})`);
      }
      const coverage = await timed(() => readCoverage(db, router, { minutes: 5 }), 15);
      const hour = postureWindow('1h', Date.now());
      await timed(() => trafficFromRecords(db, hour), 2);
      const raw = await timed(() => trafficFromRecords(db, hour), 10);
      const rollup = await timed(() => readTrafficPosture(db, hour, silentAfterMs), 10);
      const data = `Karamay with a week of data (${(casesPerDay * 7).toLocaleString('en')} cases, ${city.cameras.length.toLocaleString('en')} cameras, ${city.busRoutes.length} routes), ${backendName(backend)}`;
      lines.push(
        {
          figure: `posture boards, all five as one push reads them, ${data}`,
          measured: perRange.join('; '),
          baseline: `of which coverage (Dijkstra from every available unit to ${city.gridCells.length.toLocaleString('en')} cells, both agencies) p50 ${ms(percentile(coverage, 50))}`,
          ratio: '—',
          target: '—',
        },
        {
          figure: `traffic board, last hour, ${backendName(backend)}`,
          measured: `from the minute rollup p50 ${ms(percentile(rollup, 50))}`,
          baseline: `from the ${(city.cameras.length * 60).toLocaleString('en')} raw detector records p50 ${ms(percentile(raw, 50))}`,
          ratio: `${(percentile(raw, 50) / percentile(rollup, 50)).toFixed(1)}×`,
          target: '—',
        },
      );
    } finally {
      await db.close();
    }
  }
  return lines;
}
