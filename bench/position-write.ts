// A city-scale tick's position write: the product's (`persistPositionBatch` with the pipeline's
// in-memory place index) against raw set-based SQL doing the same work on the same database in the
// same run — unnest, `ST_Intersects` joins to grid cells and districts, an upsert of live state and
// an insert into history, into bare tables (a primary key on live state, nothing else). The ratio
// is the machine-independent figure (issue 19: ≥ 0.8×).
import { historyBytes, makeHistoryPartitions, PlaceIndex, persistPositionBatch, type Database, type PositionFix } from '../geo/index.ts';
import { openWithCity } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { benchBackends, backendName, type BenchOptions, type BenchOutput } from './report.ts';

const fixesPerTick = 20_000;
const fullRounds = 5;

const rawTables = `
CREATE TABLE raw_live (id text PRIMARY KEY, geom geometry(Point, 4326), heading_deg real, speed_kmh real, district_id text, cell_id text, updated_at timestamptz);
CREATE TABLE raw_history (entity_id text, event_time timestamptz, received_at timestamptz, geom geometry(Point, 4326), heading_deg real, speed_kmh real, district_id text, cell_id text);
-- The same with the indexes the product's guarantees need: the live position's spatial index (the
-- dispatch's nearest-unit search) and history's key (a fix sent or applied again changes nothing;
-- bare, as an open partition's is: migration 0033).
CREATE TABLE raw_live_gist (LIKE raw_live INCLUDING ALL);
CREATE INDEX ON raw_live_gist USING gist (geom);
CREATE TABLE raw_history_keyed (LIKE raw_history, PRIMARY KEY (entity_id, event_time))`;

const rawSql = (live: string, history: string, onConflict: string) => `
WITH b AS (
  SELECT u.*, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326) AS geom, to_timestamp(u.ms / 1000) AS t
  FROM unnest($1::text[], $2::float8[], $3::float8[], $4::real[], $5::real[], $6::float8[]) AS u(id, lon, lat, heading_deg, speed_kmh, ms)
), j AS (
  SELECT b.*, c.id AS cell_id, d.id AS district_id
  FROM b LEFT JOIN grid_cells c ON ST_Intersects(c.geom, b.geom) LEFT JOIN districts d ON ST_Intersects(d.geom, b.geom)
), h AS (
  INSERT INTO ${history} SELECT id, t, t, geom, heading_deg, speed_kmh, district_id, cell_id FROM j ${onConflict}
)
INSERT INTO ${live} SELECT id, geom, heading_deg, speed_kmh, district_id, cell_id, t FROM j
ON CONFLICT (id) DO UPDATE SET geom = excluded.geom, heading_deg = excluded.heading_deg, speed_kmh = excluded.speed_kmh,
  district_id = excluded.district_id, cell_id = excluded.cell_id, updated_at = excluded.updated_at`;

const rawWrite = (db: Database, fixes: readonly PositionFix[], guarded = false) =>
  db.query(guarded ? rawSql('raw_live_gist', 'raw_history_keyed', 'ON CONFLICT DO NOTHING') : rawSql('raw_live', 'raw_history', ''), [fixes.map((f) => f.entityId), fixes.map((f) => f.lon), fixes.map((f) => f.lat), fixes.map((f) => f.headingDeg), fixes.map((f) => f.speedKmh), fixes.map((f) => f.eventTime)]);

export async function benchPositionWrite(options: BenchOptions): Promise<BenchOutput> {
  const { quick } = options;
  const rounds = quick ? 1 : fullRounds;
  const city = generateCity({ ...cityProfiles.karamay, taxis: fixesPerTick });
  const taxis = city.entities.filter((e) => e.kind === 'taxi');
  const segments = city.roadSegments;
  let clock = Date.parse('2026-11-21T08:00:00Z');
  let second = 0;
  // Each taxi drives along a street of its own, a twentieth of it a second: like a city's fleet,
  // most fixes stay in the grid cell of the one before.
  const tick = (): PositionFix[] => {
    second += 1;
    clock += 1_000;
    return taxis.map((taxi, i) => {
      const [a, b] = segments[(i * 7) % segments.length]!.line as [[number, number], [number, number]];
      const along = (second % 20) / 20;
      return { entityId: taxi.id, lon: a[0] + (b[0] - a[0]) * along, lat: a[1] + (b[1] - a[1]) * along, headingDeg: 90, speedKmh: 40, eventTime: clock, receivedAt: clock, sourceId: 'bench' };
    });
  };
  const lines: BenchOutput = [];
  for (const backend of benchBackends(options)) {
    const db = await openWithCity(backend, city);
    try {
      await db.exec(rawTables);
      await makeHistoryPartitions(db, 24, clock); // history in its hour's partition, as the server keeps it
      const places = new PlaceIndex();
      await persistPositionBatch(db, tick(), places); // warm-up: the place index is read, live state filled
      await rawWrite(db, tick());
      await rawWrite(db, tick(), true);
      const spent = { product: 0, raw: 0, rawGuarded: 0 };
      const writers = [
        ['product', (f: PositionFix[]) => persistPositionBatch(db, f, places)],
        ['raw', (f: PositionFix[]) => rawWrite(db, f)],
        ['rawGuarded', (f: PositionFix[]) => rawWrite(db, f, true)],
      ] as const;
      for (let r = 0; r < rounds; r++) {
        for (const [name, write] of writers) {
          const fixes = tick();
          const started = performance.now();
          await write(fixes);
          spent[name] += performance.now() - started;
        }
      }
      // What a stored position costs on disk: history's table, TOAST and indexes per row.
      const [stored] = await db.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM position_history`);
      const bytesPerFix = (await historyBytes(db, 'position_history')).total / stored!.rows;
      const rate = (msSpent: number) => (rounds * fixesPerTick) / (msSpent / 1000);
      const per = (name: keyof typeof spent) => `${Math.round(rate(spent[name])).toLocaleString('en')} rows/s (${Math.round(spent[name] / rounds)} ms a tick)`;
      const perSecond = (name: keyof typeof spent) => `${Math.round(rate(spent[name])).toLocaleString('en')} rows/s`;
      lines.push({
        figure: `the tick's position write, ${fixesPerTick.toLocaleString('en')} fixes a tick, ${backendName(backend)}`,
        measured: `${perSecond('product')}; ${Math.round(bytesPerFix)} bytes a stored position`,
        baseline: `raw set-based SQL ${perSecond('raw')}; raw with the indexes the guarantees need (history's key: a replay changes nothing; the live position's spatial index: dispatch) ${perSecond('rawGuarded')}`,
        ratio: `${(spent.raw / spent.product).toFixed(2)}× (${(spent.rawGuarded / spent.product).toFixed(2)}× against raw with those indexes)`,
        target: '≥ 0.8×',
      });
      lines.push(
        `position write, ${backend.name} PostGIS, ${fixesPerTick.toLocaleString('en')} fixes a tick: product ${per('product')}; ` +
          `raw set-based SQL (baseline) ${per('raw')}, with history's key and the live GiST index ${per('rawGuarded')}; ratio ${(spent.raw / spent.product).toFixed(2)}× (target ≥ 0.8×); ` +
          `history ${Math.round(bytesPerFix)} bytes a stored position (${stored!.rows.toLocaleString('en')} rows)`,
      );
    } finally {
      await db.close();
    }
  }
  return lines;
}
