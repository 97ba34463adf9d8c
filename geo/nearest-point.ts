import { distanceMetres, localFrame, type LonLat } from './local-frame.ts';

// Grid buckets of this size, m: a city's crossings are a few hundred metres apart.
const bucketM = 250;
// How far from the points a query is still searched by rings, m.
const farBeyondM = 50_000;

/**
 * The nearest of a fixed set of points (by great-circle distance), through a grid of buckets
 * searched outward ring by ring: a few dozen distances per query instead of one per point.
 */
export function nearestPointIndex(points: readonly LonLat[]): (at: LonLat) => { index: number; metres: number } {
  if (points.length === 0) return () => ({ index: -1, metres: Infinity });
  const frame = localFrame(points[0]!);
  const cellOf = (at: LonLat) => frame.toMetres(at).map((m) => Math.floor(m / bucketM)) as [number, number];
  const buckets = new Map<string, number[]>();
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  points.forEach((point, index) => {
    const [x, y] = cellOf(point);
    [minX, minY, maxX, maxY] = [Math.min(minX, x), Math.min(minY, y), Math.max(maxX, x), Math.max(maxY, y)];
    const key = `${x},${y}`;
    (buckets.get(key) ?? buckets.set(key, []).get(key)!).push(index);
  });
  // Past this distance from the points' extent the frame's metres drift from great-circle ones
  // by more than the 1 % margin below (and rings would be millions): measure every point instead.
  const ringsBeyond = Math.ceil(farBeyondM / bucketM);
  const measureAll = (at: LonLat) =>
    points.reduce((best, point, index) => {
      const metres = distanceMetres(point, at);
      return metres < best.metres ? { index, metres } : best;
    }, { index: -1, metres: Infinity });
  return (at) => {
    const [x, y] = cellOf(at);
    // Rings nearer than the extent's edge hold no bucket: start at the first one that reaches it.
    const nearest = Math.max(0, minX - x, x - maxX, minY - y, y - maxY);
    if (!(nearest <= ringsBeyond)) return measureAll(at);
    let best = { index: -1, metres: Infinity };
    // Ring r is the buckets r steps away; once the best found is nearer than ring r's inner edge, no farther ring can beat it.
    const farthest = Math.max(Math.abs(x - minX), Math.abs(x - maxX), Math.abs(y - minY), Math.abs(y - maxY));
    const visit = (bx: number, by: number) => {
      for (const index of buckets.get(`${bx},${by}`) ?? []) {
        const metres = distanceMetres(points[index]!, at);
        if (metres < best.metres) best = { index, metres };
      }
    };
    for (let ring = nearest; ring <= farthest; ring++) {
      // The frame's metres are within 0.1 % of great-circle ones across a city: a 1 % margin is safe.
      if (best.metres <= (ring - 1) * bucketM * 0.99) break;
      if (ring === 0) visit(x, y);
      // Only the part of the ring inside the extent: its rows, then its columns without their corners.
      for (const by of ring > 0 ? [y - ring, y + ring] : []) {
        if (by >= minY && by <= maxY) for (let bx = Math.max(x - ring, minX); bx <= Math.min(x + ring, maxX); bx++) visit(bx, by);
      }
      for (const bx of ring > 0 ? [x - ring, x + ring] : []) {
        if (bx >= minX && bx <= maxX) for (let by = Math.max(y - ring + 1, minY); by <= Math.min(y + ring - 1, maxY); by++) visit(bx, by);
      }
    }
    return best;
  };
}
