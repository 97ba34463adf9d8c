import type { CityData, Ring } from './city-data.ts';
import { toColumns } from './columns.ts';
import { noStatementTimeout, type Database, type Queryable } from './database.ts';
import type { LonLat } from './local-frame.ts';
import { assignCameraSegments } from './cameras.ts';
import { relocateEntities } from './positions.ts';

type ColumnType = 'text' | 'integer' | 'real' | 'geometry';
type Row = Record<string, unknown>;

/** One table's bulk insert: columns with their SQL type and how each row supplies the value. */
interface TableLoad<Item> {
  table: string;
  columns: [name: string, type: ColumnType, value: (item: Item) => unknown][];
  rows: (city: CityData) => Item[];
}

const polygon = (ring: Ring) => JSON.stringify({ type: 'Polygon', coordinates: [ring] });
const point = (at: LonLat) => JSON.stringify({ type: 'Point', coordinates: at });
const lineString = (line: LonLat[]) => JSON.stringify({ type: 'LineString', coordinates: line });
const named = <Item extends { id: string; nameZh: string; nameEn: string }>(): TableLoad<Item>['columns'] => [
  ['id', 'text', (item) => item.id],
  ['name_zh', 'text', (item) => item.nameZh],
  ['name_en', 'text', (item) => item.nameEn],
];

function table<Item>(load: TableLoad<Item>): TableLoad<Row> {
  return load as unknown as TableLoad<Row>;
}

// In foreign-key order.
const cityTables: TableLoad<Row>[] = [
  table({ table: 'districts', rows: (c) => c.districts, columns: [...named(), ['geom', 'geometry', (d) => polygon(d.ring)]] }),
  table({
    table: 'communities',
    rows: (c) => c.communities,
    columns: [...named(), ['district_id', 'text', (x) => x.districtId], ['residents', 'integer', (x) => x.residents], ['geom', 'geometry', (x) => polygon(x.ring)]],
  }),
  table({
    table: 'grid_cells',
    rows: (c) => c.gridCells,
    columns: [['id', 'text', (x) => x.id], ['district_id', 'text', (x) => x.districtId], ['geom', 'geometry', (x) => polygon(x.ring)]],
  }),
  table({ table: 'water', rows: (c) => c.water, columns: [...named(), ['geom', 'geometry', (x) => polygon(x.ring)]] }),
  table({ table: 'roads', rows: (c) => c.roads, columns: [...named(), ['class', 'text', (x) => x.roadClass]] }),
  table({
    table: 'road_segments',
    rows: (c) => c.roadSegments,
    columns: [
      ['id', 'text', (x) => x.id],
      ['road_id', 'text', (x) => x.roadId],
      ['from_node', 'integer', (x) => x.fromNode],
      ['to_node', 'integer', (x) => x.toNode],
      ['length_m', 'real', (x) => x.lengthM],
      ['speed_limit_kmh', 'integer', (x) => x.speedLimitKmh],
      ['geom', 'geometry', (x) => lineString(x.line)],
    ],
  }),
  table({
    table: 'camera_sites',
    rows: (c) => c.cameraSites,
    columns: [...named(), ['kind', 'text', (x) => x.kind], ['district_id', 'text', (x) => x.districtId], ['geom', 'geometry', (x) => point(x.point)]],
  }),
  table({
    table: 'cameras',
    rows: (c) => c.cameras,
    columns: [['id', 'text', (x) => x.id], ['site_id', 'text', (x) => x.siteId], ['heading_deg', 'real', (x) => x.headingDeg], ['segment_id', 'text', (x) => x.segmentId]],
  }),
  table({
    table: 'police_stations',
    rows: (c) => c.policeStations,
    columns: [...named(), ['district_id', 'text', (x) => x.districtId], ['geom', 'geometry', (x) => point(x.point)]],
  }),
  table({ table: 'bus_stops', rows: (c) => c.busStops, columns: [...named(), ['geom', 'geometry', (x) => point(x.point)]] }),
  table({
    table: 'bus_routes',
    rows: (c) => c.busRoutes,
    columns: [
      ...named(),
      ['color', 'text', (x) => x.color],
      ['geom', 'geometry', (x) => lineString(x.line)],
      ['headway_s', 'integer', (x) => x.headwayS],
      ['scheduled_speed_kmh', 'real', (x) => x.scheduledSpeedKmh],
      ['utc_offset_min', 'integer', (x) => x.utcOffsetMin],
    ],
  }),
  table({
    table: 'bus_route_stops',
    rows: (c) => c.busRoutes.flatMap((route) => route.stopIds.map((stopId, seq) => ({ routeId: route.id, seq, stopId }))),
    columns: [['route_id', 'text', (x) => x.routeId], ['seq', 'integer', (x) => x.seq], ['stop_id', 'text', (x) => x.stopId]],
  }),
  table({
    table: 'entities',
    rows: (c) => c.entities,
    columns: [
      ['id', 'text', (x) => x.id],
      ['kind', 'text', (x) => x.kind],
      ['label', 'text', (x) => x.label],
      ['status', 'text', (x) => x.status],
      ['station_id', 'text', (x) => x.stationId ?? null],
      ['route_id', 'text', (x) => x.routeId ?? null],
      ['geom', 'geometry', (x) => point(x.point)],
      ['heading_deg', 'real', (x) => x.headingDeg],
    ],
  }),
];

const rowsPerStatement = 5_000;

async function insertRows(tx: Queryable, load: TableLoad<Row>, rows: Row[]): Promise<void> {
  const names = load.columns.map(([name]) => name).join(', ');
  const arrays = load.columns.map(([, type], i) => `$${i + 1}::${type === 'geometry' ? 'text' : type}[]`).join(', ');
  const values = load.columns
    .map(([name, type]) => (type === 'geometry' ? `ST_SetSRID(ST_GeomFromGeoJSON(${name}), 4326)` : name))
    .join(', ');
  // Table and column names are the constants above; every value travels as a parameter.
  const sql = `INSERT INTO ${load.table} (${names}) SELECT ${values} FROM unnest(${arrays}) AS input(${names})`;
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const chunk = rows.slice(start, start + rowsPerStatement);
    await tx.query(sql, toColumns(chunk, ...load.columns.map(([, , value]) => value)));
  }
}

export interface CityLoadStep {
  step: string;
  done: number;
  total: number;
}

export interface LoadedCity {
  profile: string;
  seed: number;
  generatorVersion: number;
}

export async function readLoadedCity(db: Queryable): Promise<LoadedCity | undefined> {
  const rows = await db.query<LoadedCity>('SELECT profile, seed, generator_version AS "generatorVersion" FROM city');
  return rows[0];
}

/** Stores a whole city in one transaction: a load that fails part-way leaves no partial city behind. */
export async function insertCity(db: Database, city: CityData, onStep: (progress: CityLoadStep) => void = () => {}): Promise<void> {
  const total = cityTables.length + 2;
  await db.transaction(async (tx) => {
    await tx.query(noStatementTimeout);
    await tx.query(
      `INSERT INTO city (profile, name_zh, name_en, seed, generator_version, center, bounds)
       VALUES ($1, $2, $3, $4, $5, ST_SetSRID(ST_GeomFromGeoJSON($6), 4326), ST_SetSRID(ST_GeomFromGeoJSON($7), 4326))`,
      [city.profile, city.nameZh, city.nameEn, city.seed, city.generatorVersion, point(city.center), polygon(city.bounds)],
    );
    onStep({ step: 'city', done: 1, total });
    for (const [index, load] of cityTables.entries()) {
      await insertRows(tx, load, load.rows(city));
      onStep({ step: load.table.replaceAll('_', ' '), done: index + 2, total });
    }
    await relocateEntities(tx);
    await assignCameraSegments(tx);
    onStep({ step: 'entity locations', done: total, total });
  });
}
