// An OpenStreetMap extract (.osm.pbf, as Geofabrik and osmium write them) as roads and water, read
// in two streamed passes: the ways first (which nodes they need), then only those nodes' places,
// so a province's extract does not hold every node in memory.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { OSMTransform } from 'osm-pbf-parser-node';
import { type ImportedWater, type LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import type { FileDigest, OnBytes } from './feed-files.ts';
import { roadFrom, type RoadLines } from './roads.ts';
import type { ImportTally } from './refusals.ts';

interface OsmWay {
  type: 'way';
  id: number;
  refs: number[];
  tags?: Record<string, string>;
}
interface OsmNode {
  type: 'node';
  id: number;
  lon: number;
  lat: number;
}

const wayTags = ['highway', 'name', 'name:zh', 'name:en', 'maxspeed', 'natural', 'water', 'waterway', 'landuse', 'area'];
const isWater = (tags: Record<string, string>) => tags.natural === 'water' || tags.waterway === 'riverbank' || tags.landuse === 'reservoir' || tags.landuse === 'basin';

/** One pass over the file: every item to `onItem`, bytes to `onBytes` (`before` bytes already read by an earlier pass). */
async function pass(path: string, withTags: boolean, onItem: (item: OsmWay | OsmNode) => void, onChunk: (chunk: Buffer) => void): Promise<void> {
  const source = createReadStream(path);
  source.on('data', (chunk) => onChunk(chunk as Buffer));
  const items = source.pipe(new OSMTransform({ withTags: withTags ? { node: false, way: wayTags, relation: false } : false, withInfo: false }));
  for await (const batch of items as AsyncIterable<(OsmWay | OsmNode | object)[]>) for (const item of batch) if ('type' in item) onItem(item);
}

/** Roads (through the same checks as GeoJSON roads) and water areas (closed ways) of an extract. */
export async function readOsm(path: string, crs: Crs, tally: ImportTally, onBytes: OnBytes): Promise<{ roads: RoadLines[]; water: ImportedWater[]; digest: FileDigest }> {
  const file = basename(path);
  const bytes = statSync(path).size;
  const hash = createHash('sha256');
  let done = 0;
  const ways: OsmWay[] = [];
  const needed = new Set<number>();
  await pass(path, true, (item) => {
    if (item.type !== 'way' || !item.tags || !(item.tags.highway || isWater(item.tags))) return;
    ways.push(item);
    for (const ref of item.refs) needed.add(ref);
  }, (chunk) => (hash.update(chunk), onBytes(file, (done += chunk.length), 2 * bytes)));
  const places = new Map<number, LonLat>();
  await pass(path, false, (item) => item.type === 'node' && needed.has(item.id) && places.set(item.id, toWgs84(crs, [item.lon, item.lat])), (chunk) => onBytes(file, (done += chunk.length), 2 * bytes));

  const taken = new Map<string, string>();
  const roads: RoadLines[] = [];
  const water: ImportedWater[] = [];
  const where = `${file} way`;
  for (const way of ways) {
    const points = way.refs.map((ref) => places.get(ref));
    if (points.some((point) => !point)) {
      tally.refuse(where, way.id, 'refs', 'names a node the extract does not hold (cut at its edge); export the extract with complete ways (osmium extract --strategy complete_ways)');
      continue;
    }
    const tags = way.tags!;
    const coordinates = points as LonLat[];
    if (tags.highway) {
      // OpenStreetMap's places are WGS-84 already converted above; the road reader takes them as they are.
      const road = roadFrom({ id: `osm-${way.id}`, properties: tags, geometry: { type: 'LineString', coordinates } }, where, way.id, 'wgs84', tally, taken);
      if (road) roads.push(road);
    } else if (way.refs.length >= 4 && way.refs[0] === way.refs.at(-1)) {
      water.push({ id: `osm-${way.id}`, nameZh: tags['name:zh'] || tags.name || '', nameEn: tags['name:en'] || tags.name || '', ring: coordinates });
    } else tally.skip(`${file}: water that is not a closed way (a river's line, or part of a multipolygon)`);
  }
  return { roads, water, digest: { path: file, bytes, sha256: hash.digest('hex') } };
}
