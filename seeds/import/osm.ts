// An OpenStreetMap extract (.osm.pbf, as Geofabrik and osmium write them) as roads and water, read
// in streamed passes that keep only what is needed (a province's extract does not fit every node
// in memory).
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { OSMTransform, type OSMOptions } from 'osm-pbf-parser-node';
import { type ImportedWater, type LonLat } from '../../geo/index.ts';
import { toWgs84, type Crs } from '../../streams/index.ts';
import type { FileDigest, OnBytes } from './feed-files.ts';
import { joinRings, polygonsOf } from './osm-rings.ts';
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
interface OsmRelation {
  type: 'relation';
  id: number;
  members: { type: 'node' | 'way' | 'relation'; ref: number; role: string }[];
  tags?: Record<string, string>;
}
type OsmItem = OsmWay | OsmNode | OsmRelation;

const wayTags = ['highway', 'name', 'name:zh', 'name:en', 'maxspeed', 'oneway', 'junction', 'natural', 'water', 'waterway', 'landuse', 'area'];
const relationTags = ['type', 'name', 'name:zh', 'name:en', 'natural', 'water', 'waterway', 'landuse'];
const isWater = (tags: Record<string, string>) => tags.natural === 'water' || tags.waterway === 'riverbank' || tags.landuse === 'reservoir' || tags.landuse === 'basin';

/** One pass over the file: every item to `onItem`, each chunk read to `onChunk`. */
async function pass(path: string, withTags: OSMOptions['withTags'], onItem: (item: OsmItem) => void, onChunk: (chunk: Buffer) => void): Promise<void> {
  const source = createReadStream(path);
  source.on('data', (chunk) => onChunk(chunk as Buffer));
  const items = source.pipe(new OSMTransform({ withTags, withInfo: false }));
  for await (const batch of items as AsyncIterable<(OsmItem | object)[]>) for (const item of batch) if ('type' in item) onItem(item);
}

const nameOf = (tags: Record<string, string>) => ({ nameZh: tags['name:zh'] || tags.name || '', nameEn: tags['name:en'] || tags.name || '' });

/**
 * Roads (through the same checks as GeoJSON roads) and water (closed ways, and multipolygon
 * relations with their holes) of an extract, in three streamed passes: the water relations (which
 * ways they need), the ways (which nodes they need), then only those nodes' places.
 */
export async function readOsm(path: string, crs: Crs, tally: ImportTally, onBytes: OnBytes): Promise<{ roads: RoadLines[]; water: ImportedWater[]; digest: FileDigest }> {
  const file = basename(path);
  const bytes = statSync(path).size;
  const hash = createHash('sha256');
  let done = 0;
  const progress = (chunk: Buffer) => onBytes(file, (done += chunk.length), 3 * bytes);
  const relations: OsmRelation[] = [];
  const memberWays = new Set<number>();
  await pass(path, { node: false, way: false, relation: relationTags }, (item) => {
    if (item.type !== 'relation' || item.tags?.type !== 'multipolygon' || !isWater(item.tags)) return;
    relations.push(item);
    for (const member of item.members) if (member.type === 'way') memberWays.add(member.ref);
  }, (chunk) => (hash.update(chunk), progress(chunk)));
  const ways: OsmWay[] = [];
  const wayRefs = new Map<number, number[]>();
  const needed = new Set<number>();
  await pass(path, { node: false, way: wayTags, relation: false }, (item) => {
    if (item.type !== 'way') return;
    const tagged = item.tags && (item.tags.highway || isWater(item.tags));
    if (tagged) ways.push(item);
    if (memberWays.has(item.id)) wayRefs.set(item.id, item.refs);
    if (tagged || memberWays.has(item.id)) for (const ref of item.refs) needed.add(ref);
  }, progress);
  const places = new Map<number, LonLat>();
  await pass(path, false, (item) => item.type === 'node' && needed.has(item.id) && places.set(item.id, toWgs84(crs, [item.lon, item.lat])), progress);

  const cut = 'names a node or way the extract does not hold (cut at its edge); export the extract with complete ways (osmium extract --strategy complete_ways)';
  const located = (refs: number[]) => (refs.every((ref) => places.has(ref)) ? refs.map((ref) => places.get(ref)!) : undefined);
  const taken = new Map<string, string>();
  const roads: RoadLines[] = [];
  const water: ImportedWater[] = [];
  for (const way of ways) {
    const coordinates = located(way.refs);
    const tags = way.tags!;
    if (!coordinates) tally.refuse(`${file} way`, way.id, 'refs', cut);
    else if (tags.highway) {
      // Converted to WGS-84 above already: the road reader takes the points as they are.
      const road = roadFrom({ id: `osm-${way.id}`, properties: tags, geometry: { type: 'LineString', coordinates } }, `${file} way`, way.id, 'wgs84', tally, taken);
      if (road) roads.push(road);
    } else if (way.refs.length >= 4 && way.refs[0] === way.refs.at(-1)) water.push({ id: `osm-${way.id}`, ...nameOf(tags), ring: coordinates });
    else tally.skip(`${file}: water that is not a closed way (a river's line)`);
  }
  for (const relation of relations) {
    const rings = (role: string) => joinRings(relation.members.filter((m) => m.type === 'way' && (m.role || 'outer') === role).map((m) => wayRefs.get(m.ref) ?? []));
    const [outers, inners] = [rings('outer'), rings('inner')];
    const outerPlaces = outers?.map(located);
    const innerPlaces = inners?.map(located);
    if (!outerPlaces || !innerPlaces || outerPlaces.length === 0) tally.refuse(`${file} relation`, relation.id, 'members', 'its ways do not close into rings; the relation is broken or cut at the extract\'s edge');
    else if ([...outerPlaces, ...innerPlaces].some((ring) => !ring)) tally.refuse(`${file} relation`, relation.id, 'members', cut);
    else polygonsOf(outerPlaces as LonLat[][], innerPlaces as LonLat[][]).forEach(([ring, ...holes], k) => water.push({ id: `osm-r${relation.id}-${k + 1}`, ...nameOf(relation.tags!), ring: ring!, holes }));
  }
  return { roads, water, digest: { path: file, bytes, sha256: hash.digest('hex') } };
}
