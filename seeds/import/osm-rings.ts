// OpenStreetMap multipolygons: a relation's outer and inner member ways joined end to end into
// closed rings, and each inner ring given to the outer ring it lies in.
import type { LonLat } from '../../geo/index.ts';

/** Closed rings of node ids from ways that meet end to end (either way round); undefined if one stays open. */
export function joinRings(ways: readonly (readonly number[])[]): number[][] | undefined {
  const left = ways.filter((refs) => refs.length >= 2).map((refs) => [...refs]);
  const rings: number[][] = [];
  while (left.length > 0) {
    const ring = left.shift()!;
    while (ring[0] !== ring.at(-1)) {
      const end = ring.at(-1)!;
      const next = left.findIndex((refs) => refs[0] === end || refs.at(-1) === end);
      if (next < 0) return undefined;
      const [refs] = left.splice(next, 1);
      ring.push(...(refs![0] === end ? refs! : refs!.reverse()).slice(1));
    }
    if (ring.length >= 4) rings.push(ring);
  }
  return rings;
}

function inside([lon, lat]: LonLat, ring: readonly LonLat[]): boolean {
  let within = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) within = !within;
  }
  return within;
}

/** Each outer ring with the inner rings that lie in it, as polygons (outer first). */
export function polygonsOf(outers: LonLat[][], inners: LonLat[][]): LonLat[][][] {
  return outers.map((outer) => [outer, ...inners.filter((inner) => inside(inner[0]!, outer))]);
}
