// `npm run import`: reads a city's files, checks every row, and writes them as one import.
import { districtTable, ImportConflictError, importWrite, roadTables, timetableTables, waterTable, writeImport, type Database, type ImportedCityName, type ImportedDistrict, type ImportWrite, type TableChange } from '../../geo/index.ts';
import type { Crs } from '../../streams/index.ts';
import { fileOnDisk, openFeed, readText, type FileDigest, type OnBytes } from './feed-files.ts';
import { districtsFrom } from './geojson.ts';
import { readGtfs } from './gtfs-read.ts';
import { timetableRows } from './gtfs-rows.ts';
import { placeWrites } from './place-rows.ts';
import { readOsm } from './osm.ts';
import { roadGraph, roadsFrom } from './roads.ts';
import { areaKinds, pointKinds, readPlaces, type PlaceKind, type PlaceRow } from './places.ts';
import { ImportTally, formatRefusal, type Refusal } from './refusals.ts';

export const importKinds = ['gtfs', 'districts', 'roads', 'osm', ...pointKinds, ...areaKinds] as const;
export type ImportKind = (typeof importKinds)[number];

export interface ImportRequest {
  kind: ImportKind;
  paths: string[];
  /** The import's name (default: its kind): importing under it again replaces it; `--remove` takes it away. */
  name?: string;
  crs: Crs;
  /** Names the city when the database holds none yet. */
  city?: ImportedCityName;
  /** Refuse the whole import when any row is refused. */
  strict?: boolean;
}

export interface ImportReport {
  name: string;
  kind: ImportKind;
  files: FileDigest[];
  changes: TableChange[];
  /** Rows passed over on purpose, by reason. */
  skipped: Record<string, number>;
  refused: Refusal[];
}

/** A strict import that found bad rows: nothing was written. */
export class ImportRefusedError extends Error {
  override name = 'ImportRefusedError';
  constructor(readonly refused: Refusal[]) {
    super(`${refused.length} rows refused, nothing imported (--strict):\n${refused.slice(0, 50).map(formatRefusal).join('\n')}`);
  }
}

/** Reads what the request names, as table writes. */
async function readRequest(db: Database, request: ImportRequest, tally: ImportTally, onBytes: OnBytes): Promise<{ files: FileDigest[]; writes: ImportWrite[] }> {
  if (request.kind === 'gtfs') {
    if (request.paths.length !== 1) throw new Error('gtfs takes one feed: a .zip, or a folder of its .txt files');
    const feed = await openFeed(request.paths[0]!);
    try {
      const read = await readGtfs(feed.files, request.crs, tally, onBytes);
      const rows = timetableRows(read, tally);
      const t = timetableTables;
      const writes = [
        importWrite(t.stops, rows.stops),
        importWrite(t.routes, rows.routes),
        importWrite(t.routeStops, rows.routeStops),
        importWrite(t.shapes, rows.shapes),
        importWrite(t.services, rows.services),
        importWrite(t.serviceDates, rows.serviceDates),
        importWrite(t.trips, rows.trips),
        importWrite(t.tripStops, rows.tripStops),
        importWrite(t.frequencies, rows.frequencies),
      ];
      return { files: read.digests, writes };
    } finally {
      feed.close();
    }
  }
  const files: FileDigest[] = [];
  if (request.kind === 'roads' || request.kind === 'osm') await onlyRoadImport(db, request.name ?? request.kind);
  if (request.kind === 'roads') return readRoads(request, tally, onBytes);
  if (request.kind === 'osm') {
    if (request.paths.length !== 1) throw new Error('osm takes one extract (.osm.pbf); merge several with osmium merge');
    const osm = await readOsm(request.paths[0]!, request.crs, tally, onBytes);
    const graph = roadGraph(osm.roads);
    return { files: [osm.digest], writes: [importWrite(roadTables.roads, graph.roads), importWrite(roadTables.segments, graph.segments), importWrite(waterTable, osm.water)] };
  }
  if (request.kind !== 'districts') {
    const rows: PlaceRow[] = [];
    for (const path of request.paths) {
      const read = await readPlaces(request.kind, fileOnDisk(path), request.crs, tally, onBytes);
      files.push(read.digest);
      rows.push(...read.rows);
    }
    return { files, writes: await placeWrites(db, request.kind as PlaceKind, rows, tally) };
  }
  const districts = new Map<string, ImportedDistrict>();
  for (const path of request.paths) {
    const { text, digest } = await readText(fileOnDisk(path), onBytes);
    files.push(digest);
    districtsFrom(digest.path, text, request.crs, tally, districts);
  }
  return { files, writes: [importWrite(districtTable, [...districts.values()])] };
}

/** One road network per city: its files go in one import, so their lines meet at shared points. */
async function onlyRoadImport(db: Database, name: string): Promise<void> {
  const [other] = await db.query<{ owner: string | null }>('SELECT import_name AS owner FROM roads WHERE import_name IS DISTINCT FROM $1 LIMIT 1', [name]);
  if (other) throw new ImportConflictError(`the city's roads come from the import "${other.owner}": import all road files together under that name (--name ${other.owner}), so their lines join`);
}

async function readRoads(request: ImportRequest, tally: ImportTally, onBytes: OnBytes): Promise<{ files: FileDigest[]; writes: ImportWrite[] }> {
  const files: FileDigest[] = [];
  const taken = new Map<string, string>();
  const lines = [];
  for (const path of request.paths) {
    const { text, digest } = await readText(fileOnDisk(path), onBytes);
    files.push(digest);
    lines.push(...roadsFrom(digest.path, text, request.crs, tally, taken));
  }
  const graph = roadGraph(lines);
  return { files, writes: [importWrite(roadTables.roads, graph.roads), importWrite(roadTables.segments, graph.segments)] };
}

/** Imports a city's files: `onBytes` hears how far through each file the reading is, `onStep` each step of writing. */
export async function importCityData(db: Database, request: ImportRequest, onBytes: OnBytes = () => {}, onStep: (step: string) => void = () => {}): Promise<ImportReport> {
  const tally = new ImportTally();
  const name = request.name ?? request.kind;
  const { files, writes } = await readRequest(db, request, tally, onBytes);
  if (request.strict && tally.refused.length > 0) throw new ImportRefusedError(tally.refused);
  const skipped = Object.fromEntries(tally.skipped);
  const summary = { taken: Object.fromEntries(writes.map(({ spec, rows }) => [spec.table, rows.length])), skipped, refused: tally.refusedByReason() };
  const changes = await writeImport(db, { name, kind: request.kind, files, crs: request.crs, summary }, writes, request.city, onStep);
  return { name, kind: request.kind, files, changes, skipped, refused: tally.refused };
}
