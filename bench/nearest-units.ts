// Nearest units for a case among 10,000: the product's KNN (`<->` on the GiST index) plus road ETA
// on the routing graph, against the same with the pool found by an unindexed `ORDER BY
// ST_Distance` scan, same cases, same database.
import {
  createRandom,
  createRoadRouter,
  dispatchRules,
  findCandidates,
  nearestAvailableUnits,
  readRoadGraph,
  unitKindsOf,
  type Database,
  type Queryable,
  type EntityKind,
  type LonLat,
} from '../geo/index.ts';
import { openWithCity } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { ms, percentile, timed } from './timing.ts';
import { benchBackends, backendName, type BenchOptions, type BenchOutput } from './report.ts';

const units = 10_000;
const fullCases = 300;

/** Runs a query as EXPLAIN ANALYZE and gives the database's own execution time, ms: the query without the round trip. */
async function executionMs(db: Database, run: (db: Queryable) => Promise<unknown>): Promise<number> {
  let took = NaN;
  await run({
    exec: (sql) => db.exec(sql),
    query: async <Row>(sql: string, params?: unknown[]) => {
      const [row] = await db.query<{ 'QUERY PLAN': [{ 'Execution Time': number }] | string }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`, params);
      const plan = row!['QUERY PLAN'];
      took = (typeof plan === 'string' ? (JSON.parse(plan) as [{ 'Execution Time': number }]) : plan)[0]['Execution Time'];
      return [] as Row[];
    },
  });
  return took;
}

/** The baseline's pool: every available unit of the kinds, measured and sorted. */
function scanNearest(db: Queryable, at: LonLat, kinds: readonly EntityKind[]) {
  return db.query(
    `SELECT id, ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities
      WHERE duty = 'available' AND kind = ANY($3::text[]) AND updated_at > now() - interval '10 minutes'
      ORDER BY ST_Distance(geom::geography, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) LIMIT $4`,
    [at[0], at[1], kinds, dispatchRules.pool],
  );
}

export async function benchNearestUnits(options: BenchOptions): Promise<BenchOutput> {
  const { quick } = options;
  const cases = quick ? 50 : fullCases;
  const city = generateCity(cityProfiles.yantai);
  const lines: BenchOutput = [];
  for (const backend of benchBackends(options)) {
    const db = await openWithCity(backend, city);
    try {
      // The city's own units plus synthetic ones to 10,000, all reporting now, anywhere in the city.
      const [minX, minY, maxX, maxY] = city.bounds.reduce(([a, b, c, d], [x, y]) => [Math.min(a, x), Math.min(b, y), Math.max(c, x), Math.max(d, y)], [Infinity, Infinity, -Infinity, -Infinity]);
      const own = city.entities.filter((e) => [...unitKindsOf.police, ...unitKindsOf.city].includes(e.kind)).length;
      await db.query(
        `INSERT INTO entities (id, kind, label, status, geom, updated_at)
         SELECT 'bench-' || g, (ARRAY['police-car', 'police-officer', 'inspector'])[1 + g % 3], 'bench ' || g, 'on-duty',
                ST_SetSRID(ST_MakePoint($1::float8 + random() * ($3::float8 - $1::float8), $2::float8 + random() * ($4::float8 - $2::float8)), 4326), now()
           FROM generate_series(1, $5::int) AS g`,
        [minX, minY, maxX, maxY, units - own],
      );
      await db.query(`UPDATE entities SET updated_at = now() WHERE kind = ANY($1::text[])`, [[...unitKindsOf.police, ...unitKindsOf.city]]);
      await db.exec('ANALYZE entities');
      const router = createRoadRouter(await readRoadGraph(db));
      const random = createRandom(7);
      const scenes = Array.from({ length: cases }, (): { lon: number; lat: number; agency: 'police' | 'city' } => ({
        lon: minX + random.next() * (maxX - minX),
        lat: minY + random.next() * (maxY - minY),
        agency: random.next() < 0.6 ? 'police' : 'city',
      }));
      let next = 0;
      const scene = () => scenes[next++ % scenes.length]!;
      await timed(() => findCandidates(db, router, scene()), 20); // warm-up

      const knn = await timed(() => nearestAvailableUnits(db, [scene().lon, scene().lat], unitKindsOf.police, dispatchRules.pool), cases);
      const scan = await timed(() => scanNearest(db, [scene().lon, scene().lat], unitKindsOf.police), Math.min(cases, 100));
      const inDatabase = async (run: (db: Queryable, at: LonLat) => Promise<unknown>, times: number) => {
        const took: number[] = [];
        for (let i = 0; i < times; i++) {
          const s = scene();
          took.push(await executionMs(db, (explained) => run(explained, [s.lon, s.lat])));
        }
        return took;
      };
      const knnExecution = await inDatabase((explained, at) => nearestAvailableUnits(explained, at, unitKindsOf.police, dispatchRules.pool), 100);
      const scanExecution = await inDatabase((explained, at) => scanNearest(explained, at, unitKindsOf.police), 50);
      const withEta = await timed(() => findCandidates(db, router, scene()), cases);
      lines.push({
        figure: `nearest ${dispatchRules.count} available of ${units.toLocaleString('en')} units + road ETA, ${backendName(backend)}`,
        measured: `p50 ${ms(percentile(withEta, 50))}, p99 ${ms(percentile(withEta, 99))}`,
        baseline: `pool by unindexed ST_Distance scan: p50 ${ms(percentile(scan, 50))} (KNN ${ms(percentile(knn, 50))})`,
        ratio: `${(percentile(scan, 50) / percentile(knn, 50)).toFixed(0)}× (pool, p50)`,
        target: 'p99 ≤ 20 ms',
      });
      lines.push(
        `nearest ${dispatchRules.count} of ${units.toLocaleString('en')} units + road ETA (${dispatchRules.pool} by KNN, Dijkstra on ${city.roadSegments.length.toLocaleString('en')} segments), ${backend.name} PostGIS: ` +
          `p50 ${ms(percentile(withEta, 50))}, p99 ${ms(percentile(withEta, 99))}`,
        `  pool of ${dispatchRules.pool}: KNN p50 ${ms(percentile(knn, 50))}, p99 ${ms(percentile(knn, 99))}; unindexed ORDER BY ST_Distance scan (baseline) p50 ${ms(percentile(scan, 50))}, p99 ${ms(percentile(scan, 99))}; ` +
          `ratio ${(percentile(scan, 50) / percentile(knn, 50)).toFixed(0)}× at p50`,
        `  the same two queries timed inside the database (EXPLAIN ANALYZE, no round trip): KNN p50 ${ms(percentile(knnExecution, 50))}; scan p50 ${ms(percentile(scanExecution, 50))}; ` +
          `ratio ${(percentile(scanExecution, 50) / percentile(knnExecution, 50)).toFixed(0)}×`,
      );
    } finally {
      await db.close();
    }
  }
  return lines;
}
