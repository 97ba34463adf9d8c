import type { Queryable } from './database.ts';

// Which grid cell and district hold a fix, found in memory. In the database each fix cost a GiST
// probe into grid_cells (25 µs; half of a 20,000-fix tick's 1.6 s on PostgreSQL 15, by `EXPLAIN
// ANALYZE`); here a bucket lookup and a point-in-polygon test cost well under a microsecond. The
// polygons are read again whenever `place_revision` moves (migration 0026: any change to
// districts or grid cells moves it), so an import is followed from the next tick on.

type Position = readonly [number, number];
type Box = [west: number, south: number, east: number, north: number];
/** A polygon as GeoJSON has it: the outer ring, then its holes. */
type Polygon = readonly (readonly Position[])[];

/** The box around the points (a loop: spreading 100,000 of them into `Math.min` overflows the stack). */
function boxOf(points: Iterable<Position>): Box {
  const box: Box = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [lon, lat] of points) [box[0], box[1], box[2], box[3]] = [Math.min(box[0], lon), Math.min(box[1], lat), Math.max(box[2], lon), Math.max(box[3], lat)];
  return box;
}

interface Place {
  id: string;
  polygons: Polygon[];
  box: Box;
}

/** Where the point is with respect to a ring: on its edge counts as inside, as `ST_Intersects` has it. */
function ringHolds(ring: readonly Position[], x: number, y: number): 'inside' | 'edge' | 'outside' {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    const cross = (xj - xi) * (y - yi) - (yj - yi) * (x - xi);
    if (cross === 0 && Math.min(xi, xj) <= x && x <= Math.max(xi, xj) && Math.min(yi, yj) <= y && y <= Math.max(yi, yj)) return 'edge';
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside ? 'inside' : 'outside';
}

function polygonHolds([outer, ...holes]: Polygon, x: number, y: number): boolean {
  const where = ringHolds(outer!, x, y);
  if (where !== 'inside') return where === 'edge';
  return holes.every((hole) => ringHolds(hole, x, y) !== 'inside');
}

/** Places in a uniform grid of buckets over their extent; each bucket lists the places whose box meets it, lowest id first. */
class PlaceLayer {
  private readonly buckets: number[][];
  private readonly columns: number;
  private readonly rows: number;
  private readonly west: number;
  private readonly south: number;
  private readonly bucketW: number;
  private readonly bucketH: number;

  /** `places` in the database's order of their ids: where two hold a point, the first wins. */
  constructor(private readonly places: readonly Place[]) {
    const [west, south, east, north] = boxOf(places.flatMap(({ box }) => [[box[0], box[1]] as const, [box[2], box[3]] as const]));
    [this.west, this.south] = [west, south];
    // About one place per bucket for a grid of cells; a few large districts share a few buckets.
    const side = Math.max(1, Math.ceil(Math.sqrt(places.length)));
    [this.columns, this.rows] = [side, side];
    this.bucketW = (east - this.west) / side || 1;
    this.bucketH = (north - this.south) / side || 1;
    this.buckets = Array.from({ length: side * side }, () => []);
    places.forEach((place, index) => {
      const [c0, r0] = this.bucketOf(place.box[0], place.box[1]);
      const [c1, r1] = this.bucketOf(place.box[2], place.box[3]);
      for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) this.buckets[r * this.columns + c]!.push(index);
    });
  }

  private bucketOf(lon: number, lat: number): [number, number] {
    const clamp = (value: number, count: number) => Math.min(count - 1, Math.max(0, Math.floor(value)));
    return [clamp((lon - this.west) / this.bucketW, this.columns), clamp((lat - this.south) / this.bucketH, this.rows)];
  }

  find(lon: number, lat: number): string | null {
    if (this.places.length === 0 || !Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    const [c, r] = this.bucketOf(lon, lat);
    for (const index of this.buckets[r * this.columns + c]!) {
      const { box, polygons, id } = this.places[index]!;
      if (lon < box[0] || lon > box[2] || lat < box[1] || lat > box[3]) continue;
      if (polygons.some((polygon) => polygonHolds(polygon, lon, lat))) return id;
    }
    return null;
  }
}

async function readPlaces(db: Queryable, table: 'grid_cells' | 'districts'): Promise<Place[]> {
  const rows = await db.query<{ id: string; geometry: string }>(`SELECT id, ST_AsGeoJSON(geom) AS geometry FROM ${table} ORDER BY id`);
  return rows.map(({ id, geometry }) => {
    const shape = JSON.parse(geometry) as { type: 'Polygon'; coordinates: Polygon } | { type: 'MultiPolygon'; coordinates: Polygon[] };
    const polygons = shape.type === 'Polygon' ? [shape.coordinates] : shape.coordinates;
    return { id, polygons, box: boxOf(polygons.flatMap((polygon) => polygon[0]!)) };
  });
}

/** The city's grid cells and districts in memory, as of the last `refresh`. */
export class PlaceIndex {
  private revision: string | undefined;
  private cells = new PlaceLayer([]);
  private districts = new PlaceLayer([]);

  /** Reads the polygons again if they changed since the last call (one small query when not). */
  async refresh(db: Queryable): Promise<this> {
    const [current] = await db.query<{ revision: string }>('SELECT revision::text AS revision FROM place_revision');
    if (current?.revision === this.revision) return this;
    [this.cells, this.districts] = [new PlaceLayer(await readPlaces(db, 'grid_cells')), new PlaceLayer(await readPlaces(db, 'districts'))];
    this.revision = current?.revision;
    return this;
  }

  /** The grid cell and district that hold the point (on a shared border, the lowest id); null where none does. */
  locate(lon: number, lat: number): { cellId: string | null; districtId: string | null } {
    return { cellId: this.cells.find(lon, lat), districtId: this.districts.find(lon, lat) };
  }
}
