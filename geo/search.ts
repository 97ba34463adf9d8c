import type { Queryable } from './database.ts';

/** Something a search found: a live unit, a camera, or a named place, with where it is. */
export interface SearchHit {
  kind: 'entity' | 'camera' | 'place';
  id: string;
  nameZh: string;
  nameEn: string;
  /** The entity kind, the camera site kind, or the kind of place (district, community, road, stop, station). */
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

/** Finds units by id or plate, cameras by id, and places by name (Chinese or English). */
export async function searchCity(db: Queryable, term: string, limit = 10): Promise<SearchHit[]> {
  return db.query<SearchHit>(searchSql, [term, limit]);
}
