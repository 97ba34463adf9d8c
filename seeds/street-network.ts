import { distanceMetres, type LonLat, type Metres, type RoadClass } from '../geo/index.ts';
import { nthName } from './names.ts';
import type { CityProfile } from './profiles.ts';
import type { Random } from '../geo/index.ts';

export interface StreetNode {
  id: number;
  at: Metres;
  lonLat: LonLat;
  /** Name of the crossing, e.g. 昆仑路·天山街. */
  nameZh: string;
  nameEn: string;
}

export interface StreetEdge {
  id: string;
  from: number;
  to: number;
  roadId: string;
  roadClass: RoadClass;
  lengthM: number;
}

export interface StreetRoad {
  id: string;
  nameZh: string;
  nameEn: string;
  roadClass: RoadClass;
}

export interface StreetNetwork {
  nodes: StreetNode[];
  edges: StreetEdge[];
  roads: StreetRoad[];
  /** Edges at each node, for routing and for cameras facing each approach. */
  edgesAt: StreetEdge[][];
}

const classRank: Record<RoadClass, number> = { local: 0, collector: 1, arterial: 2, expressway: 3 };

/**
 * A plausible city street network: a rotated grid whose lines are unevenly spaced and whose
 * crossings wobble, clipped to an irregular city outline, with arterials and collectors among the
 * local streets, some local streets missing, ring roads and a diagonal avenue. Only the largest
 * connected part is kept, so every vehicle can reach every street.
 */
export function generateStreetNetwork(profile: CityProfile, random: Random, toLonLat: (at: Metres) => LonLat): StreetNetwork {
  const spacing = profile.streetSpacingM;
  const halfW = (profile.widthKm * 1000) / 2;
  const halfH = (profile.heightKm * 1000) / 2;
  // The rotated grid must cover the whole outline, so lay it over the outline's circumscribed square.
  const reach = Math.hypot(halfW, halfH);
  const lineCount = Math.ceil((2 * reach) / spacing) + 1;
  const lineOffsets = (): number[] =>
    Array.from({ length: lineCount }, (_, i) => -reach + i * spacing + random.between(-0.2, 0.2) * spacing);
  const eastOffsets = lineOffsets(); // N–S streets ("街"), by column
  const northOffsets = lineOffsets(); // E–W streets ("路"), by row

  const rotation = (profile.gridRotationDeg * Math.PI) / 180;
  const rotate = ([x, y]: Metres): Metres => [x * Math.cos(rotation) - y * Math.sin(rotation), x * Math.sin(rotation) + y * Math.cos(rotation)];
  const outlineWobble = [random.between(0, 2 * Math.PI), random.between(0, 2 * Math.PI)];
  const insideOutline = ([x, y]: Metres): boolean => {
    const angle = Math.atan2(y / halfH, x / halfW);
    const radius = 1 + 0.08 * Math.sin(2 * angle + outlineWobble[0]!) + 0.06 * Math.sin(3 * angle + outlineWobble[1]!);
    return Math.hypot(x / halfW, y / halfH) <= radius && Math.abs(x) <= halfW && Math.abs(y) <= halfH;
  };

  const lineClass = (index: number): RoadClass =>
    index % profile.arterialEvery === 0 ? 'arterial' : index % 2 === 0 ? 'collector' : 'local';
  const columnName = (i: number) => nthName(2 * i, (n) => [`经${n}`, `Jing ${n}`]);
  const rowName = (j: number) => nthName(2 * j + 1, (n) => [`纬${n}`, `Wei ${n}`]);

  // Grid crossings, keyed by column and row.
  const gridNodes = new Map<string, { at: Metres; column: number; row: number }>();
  for (let column = 0; column < lineCount; column++) {
    for (let row = 0; row < lineCount; row++) {
      const wobble = spacing * 0.08;
      const at = rotate([eastOffsets[column]! + random.between(-wobble, wobble), northOffsets[row]! + random.between(-wobble, wobble)]);
      if (insideOutline(at)) gridNodes.set(`${column},${row}`, { at, column, row });
    }
  }

  // Candidate edges, keyed by their end nodes so ring roads can take over a street they follow.
  type Candidate = { a: string; b: string; roadKey: string; roadClass: RoadClass };
  const candidates = new Map<string, Candidate>();
  const pairKey = (a: string, b: string) => (a < b ? `${a}|${b}` : `${b}|${a}`);
  const addCandidate = (candidate: Candidate) => {
    const key = pairKey(candidate.a, candidate.b);
    const existing = candidates.get(key);
    if (!existing || classRank[candidate.roadClass] >= classRank[existing.roadClass]) candidates.set(key, candidate);
  };
  for (const { column, row } of gridNodes.values()) {
    const here = `${column},${row}`;
    if (gridNodes.has(`${column + 1},${row}`)) addCandidate({ a: here, b: `${column + 1},${row}`, roadKey: `row-${row}`, roadClass: lineClass(row) });
    if (gridNodes.has(`${column},${row + 1}`)) addCandidate({ a: here, b: `${column},${row + 1}`, roadKey: `column-${column}`, roadClass: lineClass(column) });
  }

  const nearestNode = (at: Metres): string => {
    let best = '';
    let bestDistance = Infinity;
    for (const [key, node] of gridNodes) {
      const d = Math.hypot(node.at[0] - at[0], node.at[1] - at[1]);
      if (d < bestDistance) [best, bestDistance] = [key, d];
    }
    return best;
  };
  // A road that follows a curve through the grid: the crossings nearest to points along it.
  const addRoadThrough = (points: Metres[], roadKey: string, roadClass: RoadClass, closed: boolean) => {
    const keys = points.map(nearestNode).filter((key, i, all) => i === 0 || key !== all[i - 1]);
    if (closed && keys.length > 1 && keys[0] === keys.at(-1)) keys.pop();
    const count = closed ? keys.length : keys.length - 1;
    for (let i = 0; i < count; i++) addCandidate({ a: keys[i]!, b: keys[(i + 1) % keys.length]!, roadKey, roadClass });
  };
  for (const [index, ring] of profile.ringRoads.entries()) {
    const steps = Math.ceil((2 * Math.PI * ring.fraction * Math.max(halfW, halfH)) / (spacing * 1.5));
    const points = Array.from({ length: steps }, (_, s): Metres => {
      const angle = (2 * Math.PI * s) / steps;
      return [ring.fraction * halfW * Math.cos(angle), ring.fraction * halfH * Math.sin(angle)];
    });
    addRoadThrough(points, `ring-${index}`, 'expressway', true);
  }
  const diagonalSteps = Math.ceil((2 * reach) / spacing);
  addRoadThrough(
    Array.from({ length: diagonalSteps + 1 }, (_, s): Metres => {
      const t = s / diagonalSteps - 0.5;
      return [t * 1.7 * halfW, -t * 1.7 * halfH];
    }),
    'diagonal',
    'arterial',
    false,
  );

  // Some local streets end in blocks (factories, campuses, parks); never where that would cut the network.
  const keyedEdges = [...candidates.values()];
  let kept = keyedEdges;
  for (const edge of random.shuffle(keyedEdges.filter((e) => e.roadClass === 'local')).slice(0, Math.floor(keyedEdges.length * 0.08))) {
    const without = kept.filter((e) => e !== edge);
    const component = largestComponent(without);
    if (component.has(edge.a) && component.has(edge.b)) kept = without;
  }
  const connected = largestComponent(kept);
  kept = kept.filter((e) => connected.has(e.a) && connected.has(e.b));

  // Number nodes and name roads and crossings.
  const roadNames = new Map<string, [string, string]>(
    profile.ringRoads.map((ring, index) => [`ring-${index}`, [ring.zh, ring.en]] as [string, [string, string]]),
  );
  roadNames.set('diagonal', ['世纪大道', 'Century Ave']);
  const roadName = (roadKey: string): [string, string] => {
    const known = roadNames.get(roadKey);
    if (known) return known;
    const [axis, index] = roadKey.split('-') as [string, string];
    const [zh, en] = axis === 'row' ? rowName(Number(index)) : columnName(Number(index));
    return axis === 'row' ? [`${zh}路`, `${en} Rd`] : [`${zh}街`, `${en} St`];
  };
  const nodeKeys = [...connected].sort();
  const nodeIds = new Map(nodeKeys.map((key, id) => [key, id]));
  const nodes: StreetNode[] = nodeKeys.map((key, id) => {
    const grid = gridNodes.get(key)!;
    const [rowZh, rowEn] = roadName(`row-${grid.row}`);
    const [columnZh, columnEn] = roadName(`column-${grid.column}`);
    return { id, at: grid.at, lonLat: toLonLat(grid.at), nameZh: `${rowZh}·${columnZh}`, nameEn: `${rowEn} & ${columnEn}` };
  });
  const roadIds = new Map<string, string>();
  const roads: StreetRoad[] = [];
  const edges: StreetEdge[] = kept.map((edge, index) => {
    let roadId = roadIds.get(edge.roadKey);
    if (!roadId) {
      roadId = `road-${String(roads.length + 1).padStart(4, '0')}`;
      roadIds.set(edge.roadKey, roadId);
      const [nameZh, nameEn] = roadName(edge.roadKey);
      roads.push({ id: roadId, nameZh, nameEn, roadClass: edge.roadClass });
    }
    const from = nodeIds.get(edge.a)!;
    const to = nodeIds.get(edge.b)!;
    return { id: `seg-${String(index + 1).padStart(5, '0')}`, from, to, roadId, roadClass: edge.roadClass, lengthM: distanceMetres(nodes[from]!.lonLat, nodes[to]!.lonLat) };
  });
  const edgesAt: StreetEdge[][] = nodes.map(() => []);
  for (const edge of edges) {
    edgesAt[edge.from]!.push(edge);
    edgesAt[edge.to]!.push(edge);
  }
  return { nodes, edges, roads, edgesAt };
}

function largestComponent(edges: readonly { a: string; b: string }[]): Set<string> {
  const neighbours = new Map<string, string[]>();
  for (const { a, b } of edges) {
    neighbours.set(a, [...(neighbours.get(a) ?? []), b]);
    neighbours.set(b, [...(neighbours.get(b) ?? []), a]);
  }
  let largest = new Set<string>();
  const seen = new Set<string>();
  for (const start of neighbours.keys()) {
    if (seen.has(start)) continue;
    const component = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      for (const next of neighbours.get(queue.pop()!) ?? []) {
        if (!component.has(next)) {
          component.add(next);
          queue.push(next);
        }
      }
    }
    for (const key of component) seen.add(key);
    if (component.size > largest.size) largest = component;
  }
  return largest;
}

/** Fastest path between two nodes by free-flow time (Dijkstra), as node ids; empty if unreachable. */
export function fastestPath(network: StreetNetwork, from: number, to: number, speedKmh: (roadClass: RoadClass) => number): number[] {
  const time = new Float64Array(network.nodes.length).fill(Infinity);
  const previous = new Int32Array(network.nodes.length).fill(-1);
  const heap = new MinHeap();
  time[from] = 0;
  heap.push(from, 0);
  while (heap.size > 0) {
    const [node, t] = heap.pop();
    if (node === to) break;
    if (t > time[node]!) continue;
    for (const edge of network.edgesAt[node]!) {
      const next = edge.from === node ? edge.to : edge.from;
      const arrival = t + edge.lengthM / speedKmh(edge.roadClass);
      if (arrival < time[next]!) {
        time[next] = arrival;
        previous[next] = node;
        heap.push(next, arrival);
      }
    }
  }
  if (time[to] === Infinity) return [];
  const path = [to];
  while (path[0] !== from) path.unshift(previous[path[0]!]!);
  return path;
}

class MinHeap {
  private items: [number, number][] = [];
  get size() {
    return this.items.length;
  }
  push(value: number, priority: number) {
    const items = this.items;
    items.push([value, priority]);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (items[parent]![1] <= items[i]![1]) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }
  pop(): [number, number] {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      for (let i = 0; ; ) {
        const [l, r] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (l < items.length && items[l]![1] < items[smallest]![1]) smallest = l;
        if (r < items.length && items[r]![1] < items[smallest]![1]) smallest = r;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i]!, items[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}
