// Where a city is too large for the base map's GeoJSON layers: the roads layer as one GeoJSON
// document (what the screens load of a small city, built by PostGIS, then parsed and cut into tiles
// by geojson-vt in MapLibre's worker, timed here in Node with the same library and MapLibre's
// settings), against the vector tiles this server cuts for a large city (GET
// /api/basemap/city-tiles, as the route makes them, uncached) for the view a wall shows, with
// PostGIS's own ST_AsMVT as the baseline where the back end has it, for street grids of growing
// size on the same database.
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { importWrite, migrate, readBasemapLayer, roadTables, writeImport, type Database, type ImportedRoad, type ImportedSegment, type LonLat } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityTile } from '../server/index.ts';
import type { BenchOutput, Figure } from './report.ts';
import { percentile, timed } from './timing.ts';

const sizes = [10_000, 50_000, 200_000];
const origin: LonLat = [84.6, 45.4];
const spacingM = 100;

/** A square street grid of about `segments` 100-m segments, one road per row and per column. */
function streetGrid(segments: number): { roads: ImportedRoad[]; segments: ImportedSegment[] } {
  const k = Math.ceil(Math.sqrt(segments / 2)) + 1;
  const dLat = spacingM / 111_320;
  const dLon = spacingM / (111_320 * Math.cos((origin[1] * Math.PI) / 180));
  const at = (i: number, j: number): LonLat => [origin[0] + i * dLon, origin[1] + j * dLat];
  const roads: ImportedRoad[] = [];
  const out: ImportedSegment[] = [];
  for (const along of ['x', 'y'] as const) {
    for (let line = 0; line < k; line++) {
      const roadId = `${along}${line}`;
      roads.push({ id: roadId, nameZh: roadId, nameEn: roadId, roadClass: line % 10 === 0 ? 'arterial' : 'local' });
      for (let step = 0; step < k - 1; step++) {
        const [from, to] = along === 'x' ? [at(step, line), at(step + 1, line)] : [at(line, step), at(line, step + 1)];
        const node = (i: number, j: number) => j * k + i + 1;
        out.push({ id: `${roadId}-${step}`, roadId, fromNode: along === 'x' ? node(step, line) : node(line, step), toNode: along === 'x' ? node(step + 1, line) : node(line, step + 1), lengthM: spacingM, speedLimitKmh: 30, oneWay: false, line: [from, to] });
      }
    }
  }
  return { roads, segments: out };
}

const tileOf = ([lon, lat]: LonLat, z: number): [number, number] => {
  const n = 2 ** z;
  const sin = Math.sin((lat * Math.PI) / 180);
  return [Math.floor(((lon + 180) / 360) * n), Math.floor((0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * n)];
};

// One tile's roads as PostGIS's ST_AsMVT makes it (the geometry index is in WGS-84); the embedded
// back end's PostGIS is built without it.
async function postgisRoadTile(db: Database, z: number, x: number, y: number): Promise<number> {
  const [row] = await db.query<{ bytes: number }>(
    `WITH env AS (SELECT ST_TileEnvelope($1, $2, $3) AS box),
     f AS (SELECT s.id, r.class, ST_AsMVTGeom(ST_Transform(s.geom, 3857), env.box) AS geom
           FROM road_segments s JOIN roads r ON r.id = s.road_id, env WHERE s.geom && ST_Transform(env.box, 4326))
     SELECT length(ST_AsMVT(f, 'roads')) AS bytes FROM f`,
    [z, x, y],
  );
  return row?.bytes ?? 0;
}

async function measure(db: Database, size: number): Promise<Figure> {
  const grid = streetGrid(size);
  const started = performance.now();
  await writeImport(db, { name: 'bench-roads', kind: 'roads', files: [], crs: 'wgs84', summary: {} }, [importWrite(roadTables.roads, grid.roads), importWrite(roadTables.segments, grid.segments)], { id: 'bench', nameZh: 'bench', nameEn: 'bench' });
  const importS = (performance.now() - started) / 1_000;
  let text = '';
  const build = await timed(async () => (text = await readBasemapLayer(db, 'roads')), 3);
  // MapLibre's GeoJSON source: its worker parses the document and indexes it with its geojson-vt (maxzoom 18, buffer 128, tolerance 0.375).
  const parse = await timed(async () => new GeoJSONVT(JSON.parse(text) as GeoJSON.GeoJSON, { maxZoom: 18, buffer: 128 * (4096 / 512), tolerance: 0.375 * (4096 / 512), extent: 4096 }), 3);
  // A wall at city zoom shows about 12 z12 tiles of this grid; a street view, a z15 tile.
  const middle: LonLat = [grid.segments[Math.floor(grid.segments.length / 4)]!.line[0]![0], grid.segments[Math.floor(grid.segments.length / 4)]!.line[0]![1]];
  const tiles = async (zoom: number) => {
    const [x, y] = tileOf(middle, zoom);
    let served = 0;
    let postgis = 0;
    const servedMs = percentile(await timed(async () => (served = (await cityTile(db, 'roads', zoom, x, y, 'wgs84')).byteLength), 5), 50);
    const postgisMs = db.backend === 'server' ? percentile(await timed(async () => (postgis = await postgisRoadTile(db, zoom, x, y)), 5), 50) : undefined;
    const text = `z${zoom} ${(served / 1e3).toFixed(0)} kB in ${servedMs.toFixed(0)} ms` + (postgisMs === undefined ? '' : ` (ST_AsMVT ${(postgis / 1e3).toFixed(0)} kB in ${postgisMs.toFixed(0)} ms)`);
    return { text, ms: servedMs };
  };
  const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
  const [z12, z15] = [await tiles(12), await tiles(15)];
  const parseMs = percentile(parse, 50);
  return {
    figure: `base map roads, ${grid.segments.length.toLocaleString('en')} segments (imported in ${importS.toFixed(1)} s), ${db.backend === 'server' ? 'PostgreSQL' : 'embedded'}: a vector tile as served, against one GeoJSON layer parsed and indexed by each screen`,
    measured: `tile ${z12.text}; ${z15.text}`,
    baseline: `GeoJSON ${mb(text.length)}, built in ${percentile(build, 50).toFixed(0)} ms (once, cached), parsed and indexed in ${parseMs.toFixed(0)} ms per screen load`,
    ratio: `${(parseMs / z12.ms).toFixed(1)}× (parse against a z12 tile)`,
    target: '—',
  };
}

export async function benchBasemapLayers(): Promise<BenchOutput> {
  const lines: BenchOutput = [];
  for (const backend of testBackends()) {
    for (const size of sizes) {
      const db = await backend.open();
      try {
        await migrate(db);
        lines.push(await measure(db, size));
      } finally {
        await db.close();
      }
    }
  }
  return lines;
}
