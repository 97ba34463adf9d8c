import { bearingDeg, distanceMetres, type LonLat } from './local-frame.ts';

/** Cumulative distance in metres at each vertex of a line; the last entry is its length. */
export function cumulativeLengths(line: readonly LonLat[]): number[] {
  const lengths = [0];
  for (let i = 1; i < line.length; i++) lengths.push(lengths[i - 1]! + distanceMetres(line[i - 1]!, line[i]!));
  return lengths;
}

/** The position `distanceM` along a line (clamped to its ends) and the heading of travel there. */
export function pointAlong(line: readonly LonLat[], lengths: readonly number[], distanceM: number): { at: LonLat; headingDeg: number } {
  const total = lengths.at(-1) ?? 0;
  const target = Math.min(Math.max(distanceM, 0), total);
  let i = 1;
  while (i < line.length - 1 && lengths[i]! < target) i++;
  const [a, b] = [line[i - 1]!, line[i]!];
  const span = lengths[i]! - lengths[i - 1]!;
  const t = span > 0 ? (target - lengths[i - 1]!) / span : 0;
  return { at: [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t], headingDeg: bearingDeg(a, b) };
}

/** Shortest distance in metres from a point to a line, vertex to vertex (fine for city-sized lines). */
export function distanceToLine(point: LonLat, line: readonly LonLat[]): number {
  let best = Infinity;
  for (let i = 1; i < line.length; i++) {
    const [a, b] = [line[i - 1]!, line[i]!];
    const [dx, dy] = [b[0] - a[0], b[1] - a[1]];
    const t = Math.max(0, Math.min(1, ((point[0] - a[0]) * dx + (point[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
    best = Math.min(best, distanceMetres(point, [a[0] + t * dx, a[1] + t * dy]));
  }
  return best;
}
