// The city's own layers for one vector tile: what a city too large for one GeoJSON per layer sends
// instead. PostGIS picks the features and cuts them to the tile; the server makes the tile (the
// embedded back end's PostGIS has no ST_AsMVT: it is built without protobuf-c).
import type { Queryable } from './database.ts';
import { basemapQuery, type BasemapLayer } from './city-queries.ts';

/** Past this many road segments the screens get vector tiles (measured: npm run bench basemap-layers). */
export const tiledCityRoadSegments = 50_000;

/** The layers that grow with the city and go as tiles; districts and their labels stay GeoJSON. */
export const tiledLayers = ['roads', 'grid-cells', 'water', 'bus-routes', 'camera-sites', 'police-stations'] as const satisfies readonly BasemapLayer[];
export type TiledLayer = (typeof tiledLayers)[number];

// Local streets are sub-pixel below this zoom (0.6 px wide at 11): a tile of a whole large city leaves them out.
const localRoadsFromZoom = 12;
const tileConditions: Partial<Record<TiledLayer, (zoom: number) => string>> = {
  roads: (zoom) => (zoom >= localRoadsFromZoom ? 'true' : `r.class <> 'local'`),
};

/** How many road segments the city has: whether its layers go as one GeoJSON each or as tiles. */
export async function countRoadSegments(db: Queryable): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM road_segments`);
  return row?.n ?? 0;
}

/**
 * A layer's features within `box` ([west, south, east, north], degrees) as GeoJSON Features, cut
 * to it: a long road or bus route sends only its part in the tile.
 */
export async function readTileFeatures(db: Queryable, layer: TiledLayer, zoom: number, box: [number, number, number, number]): Promise<string[]> {
  const { columns, geom, from } = basemapQuery(layer);
  const condition = tileConditions[layer]?.(zoom) ?? 'true';
  // Each row a GeoJSON Feature made by PostGIS from the row (to_jsonb of a row with its geometry in
  // it took 25 times as long: 150 ms for a tile of 5,800 road segments).
  const rows = await db.query<{ feature: string }>(
    `WITH b AS (SELECT ST_MakeEnvelope($1, $2, $3, $4, 4326) AS box)
     SELECT ST_AsGeoJSON(q.*, 'geom', 7) AS feature
     FROM (SELECT ${columns}, ST_ClipByBox2D(${geom}, b.box) AS geom FROM ${from}, b WHERE ${geom} && b.box AND ${condition}) AS q
     WHERE NOT ST_IsEmpty(q.geom)`,
    box,
  );
  return rows.map((row) => row.feature);
}
