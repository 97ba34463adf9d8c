import type { Metres } from '../geo/index.ts';
import type { Random } from '../geo/index.ts';

/** A closed ring in the city's unrotated metre frame, counter-clockwise. */
export type MetreRing = Metres[];

/**
 * Vertices of a lattice over the rectangle [-halfW, halfW] × [-halfH, halfH], indexed
 * [column][row] from the south-west, with interior vertices moved at random so areas are not
 * boxes; border vertices only slide along the border, so the tiles still cover the rectangle.
 */
export function jitteredLattice(columns: number, rows: number, halfW: number, halfH: number, random: Random, jitter: number): Metres[][] {
  const cellW = (2 * halfW) / columns;
  const cellH = (2 * halfH) / rows;
  return Array.from({ length: columns + 1 }, (_, c) =>
    Array.from({ length: rows + 1 }, (_, r): Metres => {
      const dx = c === 0 || c === columns ? 0 : random.between(-jitter, jitter) * cellW;
      const dy = r === 0 || r === rows ? 0 : random.between(-jitter, jitter) * cellH;
      return [-halfW + c * cellW + dx, -halfH + r * cellH + dy];
    }),
  );
}

/** The outline of the block of lattice tiles from (c0, r0) to (c1, r1), exclusive, counter-clockwise. */
export function blockRing(lattice: Metres[][], c0: number, r0: number, c1: number, r1: number): MetreRing {
  const ring: Metres[] = [];
  for (let c = c0; c < c1; c++) ring.push(lattice[c]![r0]!);
  for (let r = r0; r < r1; r++) ring.push(lattice[c1]![r]!);
  for (let c = c1; c > c0; c--) ring.push(lattice[c]![r1]!);
  for (let r = r1; r > r0; r--) ring.push(lattice[c0]![r]!);
  ring.push(ring[0]!);
  return ring;
}

/** Splits `count` items into `parts` near-equal runs; returns the run boundaries, 0 … count. */
export function splitEvenly(count: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, m) => Math.round((m * count) / parts));
}

/** Point in polygon by ray casting; points exactly on an edge may go either way. */
export function pointInRing([x, y]: Metres, ring: readonly Metres[]): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
