import type { Queryable } from './database.ts';

/** Something a search found: a live unit, a camera, or a named place, with where it is. */
export interface SearchHit {
  kind: 'entity' | 'camera' | 'place';
  id: string;
  nameZh: string;
  nameEn: string;
  /** The entity kind, the camera site kind, or the kind of place (district, community, road, crossing, stop, station). */
  detail: string;
  lon: number;
  lat: number;
}

// One statement over every searchable table; the term is matched as text (LIKE metacharacters
// escaped), never spliced into the SQL. Exact matches rank first, then prefixes, then the rest.
const searchSql = `
WITH q AS (
  SELECT lower($1::text) AS term,
         '%' || replace(replace(replace(lower($1::text), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pattern
), hits AS (
  SELECT 'entity' AS kind, e.id, e.label AS name_zh, e.label AS name_en, e.kind AS detail, e.geom
    FROM entities e, q WHERE e.geom IS NOT NULL AND (lower(e.id) LIKE q.pattern OR lower(e.label) LIKE q.pattern)
  UNION ALL
  SELECT 'camera', c.id, s.name_zh, s.name_en, s.kind, s.geom
    FROM cameras c JOIN camera_sites s ON s.id = c.site_id, q WHERE lower(c.id) LIKE q.pattern OR lower(s.id) LIKE q.pattern
  UNION ALL
  SELECT 'place', d.id, d.name_zh, d.name_en, 'district', ST_PointOnSurface(d.geom)
    FROM districts d, q WHERE lower(d.name_zh) LIKE q.pattern OR lower(d.name_en) LIKE q.pattern
  UNION ALL
  SELECT 'place', c.id, c.name_zh, c.name_en, 'community', ST_PointOnSurface(c.geom)
    FROM communities c, q WHERE lower(c.name_zh) LIKE q.pattern OR lower(c.name_en) LIKE q.pattern
  UNION ALL
  SELECT 'place', r.id, r.name_zh, r.name_en, 'road',
         (SELECT ST_LineInterpolatePoint(s.geom, 0.5) FROM road_segments s WHERE s.road_id = r.id ORDER BY s.id LIMIT 1)
    FROM roads r, q WHERE lower(r.name_zh) LIKE q.pattern OR lower(r.name_en) LIKE q.pattern
  UNION ALL
  SELECT 'place', b.id, b.name_zh, b.name_en, 'stop', b.geom
    FROM bus_stops b, q WHERE lower(b.name_zh) LIKE q.pattern OR lower(b.name_en) LIKE q.pattern
  UNION ALL
  SELECT 'place', p.id, p.name_zh, p.name_en, 'station', p.geom
    FROM police_stations p, q WHERE lower(p.name_zh) LIKE q.pattern OR lower(p.name_en) LIKE q.pattern
)
SELECT h.kind, h.id, h.name_zh AS "nameZh", h.name_en AS "nameEn", h.detail, ST_X(h.geom) AS lon, ST_Y(h.geom) AS lat
FROM hits h, q
WHERE h.geom IS NOT NULL
ORDER BY (q.term IN (lower(h.id), lower(h.name_zh), lower(h.name_en))) DESC,
         (starts_with(lower(h.id), q.term) OR starts_with(lower(h.name_zh), q.term) OR starts_with(lower(h.name_en), q.term)) DESC,
         length(h.name_zh), h.id
LIMIT $2`;

// Where two roads meet: a node of the road graph that ends segments of both. Named roads match
// as in the search above; exact names rank first.
const crossingSql = `
WITH q AS (
  SELECT lower($1::text) AS a, lower($2::text) AS b,
         '%' || replace(replace(replace(lower($1::text), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pa,
         '%' || replace(replace(replace(lower($2::text), '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%' AS pb
), ends AS (
  SELECT road_id, from_node AS node, ST_StartPoint(geom) AS geom FROM road_segments
  UNION ALL
  SELECT road_id, to_node, ST_EndPoint(geom) FROM road_segments
), ra AS (
  SELECT r.*, q.a IN (lower(r.name_zh), lower(r.name_en)) AS exact FROM roads r, q WHERE lower(r.name_zh) LIKE q.pa OR lower(r.name_en) LIKE q.pa
), rb AS (
  SELECT r.*, q.b IN (lower(r.name_zh), lower(r.name_en)) AS exact FROM roads r, q WHERE lower(r.name_zh) LIKE q.pb OR lower(r.name_en) LIKE q.pb
), crossings AS (
  SELECT DISTINCT ON (ea.node) ea.node, ra.name_zh AS a_zh, ra.name_en AS a_en, rb.name_zh AS b_zh, rb.name_en AS b_en, ea.geom,
         ra.exact::int + rb.exact::int AS exact
  FROM ra JOIN ends ea ON ea.road_id = ra.id JOIN ends eb ON eb.node = ea.node JOIN rb ON rb.id = eb.road_id
  WHERE ra.id <> rb.id
  ORDER BY ea.node, ra.exact::int + rb.exact::int DESC
)
SELECT 'place' AS kind, 'crossing-' || node AS id, a_zh || '与' || b_zh || '交叉口' AS "nameZh", a_en || ' & ' || b_en AS "nameEn",
       'crossing' AS detail, ST_X(geom) AS lon, ST_Y(geom) AS lat
FROM crossings ORDER BY exact DESC, length(a_zh) + length(b_zh), node LIMIT $3`;

/**
 * The two roads a crossing's name gives — "友谊路与准噶尔街交叉口", "友谊路·准噶尔街",
 * "Youyi Rd & Zhungeer St", "Youyi Rd / Zhungeer St" — or undefined for any other term.
 */
export function crossingRoads(term: string): [string, string] | undefined {
  const roads = term
    .replace(/(交叉口|十字路口|路口|交口)$/u, '')
    .split(/\s*(?:&|＆|\/|·|、|与|\s+and\s+|\s+at\s+)\s*/iu)
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  return roads.length === 2 ? [roads[0]!, roads[1]!] : undefined;
}

/**
 * Finds units by id or plate, cameras by id, places by name (Chinese or English), and crossings
 * by their two roads' names.
 */
export async function searchCity(db: Queryable, term: string, limit = 10): Promise<SearchHit[]> {
  const roads = crossingRoads(term);
  const crossings = roads ? await db.query<SearchHit>(crossingSql, [roads[0], roads[1], limit]) : [];
  if (crossings.length >= limit) return crossings;
  return [...crossings, ...(await db.query<SearchHit>(searchSql, [term, limit - crossings.length]))];
}
