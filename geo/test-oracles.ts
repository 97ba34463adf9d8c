import type { Database } from './database.ts';
import { distanceMetres, type LonLat } from './local-frame.ts';
import { routingSpeeds, type TravelMode } from './road-routing.ts';

/**
 * For tests: a function giving the road travel seconds from any point to `from`, by Bellman-Ford
 * over the road network as the database holds it. An independent check of the router's Dijkstra,
 * priced by the same published rules (routingSpeeds).
 */
export async function shortestRoadSeconds(db: Database, from: LonLat, mode: TravelMode = 'drive') {
  const edges = await db.query<{ a: number; b: number; lengthM: number; limit: number; liveKmh: number | null; ax: number; ay: number; bx: number; by: number }>(
    `SELECT s.from_node AS a, s.to_node AS b, s.length_m AS "lengthM", s.speed_limit_kmh AS limit,
            CASE WHEN t.updated_at > now() - make_interval(secs => $1) THEN t.speed_kmh END AS "liveKmh",
            ST_X(ST_StartPoint(s.geom)) AS ax, ST_Y(ST_StartPoint(s.geom)) AS ay, ST_X(ST_EndPoint(s.geom)) AS bx, ST_Y(ST_EndPoint(s.geom)) AS by
       FROM road_segments s LEFT JOIN segment_traffic t ON t.segment_id = s.id`,
    [routingSpeeds.liveForMs / 1000],
  );
  const at = new Map<number, LonLat>();
  for (const e of edges) at.set(e.a, [e.ax, e.ay]).set(e.b, [e.bx, e.by]);
  const nearest = (point: LonLat) => [...at].reduce((best, [node, p]) => (distanceMetres(p, point) < distanceMetres(at.get(best)!, point) ? node : best), [...at.keys()][0]!);
  const seconds = new Map([...at.keys()].map((node) => [node, Infinity]));
  seconds.set(nearest(from), 0);
  const drivingKmh = (e: (typeof edges)[number]) => (e.liveKmh === null ? e.limit * routingSpeeds.shareOfLimit : Math.max(e.liveKmh, routingSpeeds.slowestKmh));
  const cost = (e: (typeof edges)[number]) => e.lengthM / ((mode === 'walk' ? routingSpeeds.walkingKmh : drivingKmh(e)) / 3.6);
  for (let changed = true; changed; ) {
    changed = false;
    for (const e of edges) {
      for (const [u, v] of [[e.a, e.b], [e.b, e.a]] as const) {
        if (seconds.get(u)! + cost(e) < seconds.get(v)! - 1e-9) {
          seconds.set(v, seconds.get(u)! + cost(e));
          changed = true;
        }
      }
    }
  }
  const access = (point: LonLat) => distanceMetres(at.get(nearest(point))!, point) / ((mode === 'walk' ? routingSpeeds.walkingKmh : routingSpeeds.offNetworkKmh) / 3.6);
  return (start: LonLat) => seconds.get(nearest(start))! + access(start) + access(from);
}

