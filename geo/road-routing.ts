import type { SegmentTraffic } from './cameras.ts';
import type { RoadSegmentEdge } from './city-queries.ts';
import type { LonLat } from './local-frame.ts';
import { nearestPointIndex } from './nearest-point.ts';

/**
 * How the routing graph prices a road. A segment a camera measured in the last `liveForMs` is
 * driven at the measured speed (never below `slowestKmh`, so a jam delays rather than blocks);
 * an unmeasured one at `shareOfLimit` of its limit, what urban traffic keeps to between
 * signals; from a unit to its nearest crossing and from the last crossing to the scene, the
 * straight line at `offNetworkKmh` (a car turning out of a yard). People on foot (officers,
 * inspectors) walk every street and the access legs at `walkingKmh`, whatever the traffic.
 */
export const routingSpeeds = { liveForMs: 15 * 60_000, slowestKmh: 5, shareOfLimit: 0.8, offNetworkKmh: 15, walkingKmh: 5 };

/** How a unit gets there: a car drives at the road's live speed, a person on foot walks. */
export type TravelMode = 'drive' | 'walk';

export interface RoadRoute {
  seconds: number;
  /** Along the road, access legs included. */
  metres: number;
  /** From the start to the destination, for drawing. */
  line: LonLat[];
}

export interface RoadRouter {
  /** Takes the live speeds of the segments a camera tick changed. */
  updateSpeeds(traffic: readonly SegmentTraffic[]): void;
  /** Seconds to drive a segment now. */
  edgeSeconds(edge: RoadSegmentEdge): number;
  /** The fastest road route from each start to one destination (null where none connects), driving or on foot. */
  routesTo(destination: LonLat, starts: readonly LonLat[], mode?: TravelMode): (RoadRoute | null)[];
  /** For each place, the seconds from the nearest (by road) of `sources`; Infinity where none connects. */
  secondsFromNearest(sources: readonly LonLat[], places: readonly LonLat[], mode?: TravelMode): number[];
}

/**
 * The street network as a routing graph, built once from the road segments, with edge costs
 * from live camera speeds. A one-way street is driven only its way (walked both). One Dijkstra
 * back from the destination answers every start, stopping once all of them are settled.
 */
export function createRoadRouter(edges: readonly RoadSegmentEdge[], now: () => number = Date.now): RoadRouter {
  const nodeIds = new Map<number, number>();
  const nodeAt: LonLat[] = [];
  const indexOf = (node: number, at: LonLat) => {
    let index = nodeIds.get(node);
    if (index === undefined) nodeIds.set(node, (index = nodeAt.push(at) - 1));
    return index;
  };
  // Per node, the edges a search may take from it: driving onwards, driving back towards where a
  // car came from (the search from a destination), and walking (every street both ways).
  type Step = { edge: number; to: number }[][];
  const steps: Record<'onwards' | 'back' | 'walk', Step> = { onwards: [], back: [], walk: [] };
  const step = (list: Step, from: number, edge: number, to: number) => (list[from] ??= []).push({ edge, to });
  const ends = edges.map((edge, i) => {
    const from = indexOf(edge.fromNode, edge.line[0]!);
    const to = indexOf(edge.toNode, edge.line.at(-1)!);
    step(steps.onwards, from, i, to);
    step(steps.back, to, i, from);
    if (!edge.oneWay) {
      step(steps.onwards, to, i, from);
      step(steps.back, from, i, to);
    }
    step(steps.walk, from, i, to);
    step(steps.walk, to, i, from);
    return { from, to };
  });
  const live = new Map<string, { kmh: number; at: number }>();
  const edgeSeconds = (edge: RoadSegmentEdge) => {
    const measured = live.get(edge.id);
    const kmh =
      measured && now() - measured.at <= routingSpeeds.liveForMs ? Math.max(measured.kmh, routingSpeeds.slowestKmh) : edge.speedLimitKmh * routingSpeeds.shareOfLimit;
    return edge.lengthM / (kmh / 3.6);
  };
  const nearestIndex = nearestPointIndex(nodeAt);
  const nearestNode = (point: LonLat) => {
    const { index, metres } = nearestIndex(point);
    return { node: index, metres };
  };
  const walkingSeconds = (metres: number) => metres / (routingSpeeds.walkingKmh / 3.6);
  const offNetworkSeconds = (metres: number, mode: TravelMode) => (mode === 'walk' ? walkingSeconds(metres) : metres / (routingSpeeds.offNetworkKmh / 3.6));
  const costOf = (mode: TravelMode) => (mode === 'walk' ? (edge: RoadSegmentEdge) => walkingSeconds(edge.lengthM) : edgeSeconds);

  /**
   * Dijkstra from several origins at once, each starting at its own offset (seconds), until `done`
   * holds or all is settled: driving onwards from them, or back to them (from a destination).
   */
  const settle = (origins: readonly { node: number; seconds: number }[], done: (node: number) => boolean, mode: TravelMode, direction: 'onwards' | 'back') => {
    const cost = costOf(mode);
    const adjacency = mode === 'walk' ? steps.walk : steps[direction];
    const seconds = new Float64Array(nodeAt.length).fill(Infinity);
    const via = new Int32Array(nodeAt.length).fill(-1);
    const settled = new Uint8Array(nodeAt.length);
    const queue = new MinHeap();
    for (const origin of origins) {
      if (origin.seconds < seconds[origin.node]!) {
        seconds[origin.node] = origin.seconds;
        queue.push(origin.seconds, origin.node);
      }
    }
    while (queue.size > 0) {
      const [reached, node] = queue.pop();
      if (settled[node]) continue;
      settled[node] = 1;
      if (done(node)) break;
      for (const { edge, to } of adjacency[node] ?? []) {
        const next = reached + cost(edges[edge]!);
        if (next < seconds[to]!) {
          seconds[to] = next;
          via[to] = edge;
          queue.push(next, to);
        }
      }
    }
    return { seconds, via, settled };
  };

  return {
    updateSpeeds(traffic) {
      for (const segment of traffic) {
        if (segment.speedKmh === null) live.delete(segment.segmentId);
        else live.set(segment.segmentId, { kmh: segment.speedKmh, at: Date.parse(segment.updatedAt) });
      }
    },
    edgeSeconds,
    routesTo(destination, starts, mode = 'drive') {
      if (nodeAt.length === 0) return starts.map(() => null);
      const target = nearestNode(destination);
      const snapped = starts.map(nearestNode);
      const startNodes = new Set(snapped.map((start) => start.node));
      let waiting = startNodes.size;
      // Stops once every start's crossing is settled.
      const { seconds, via, settled } = settle([{ node: target.node, seconds: 0 }], (node) => startNodes.has(node) && --waiting === 0, mode, 'back');
      return starts.map((start, i) => {
        const { node, metres: accessM } = snapped[i]!;
        if (!settled[node]) return null;
        // Walk from the start's crossing back along `via` to the destination's crossing; the line
        // passes through the crossing even when both ends share it.
        const line: LonLat[] = [start, nodeAt[node]!];
        let metres = accessM + target.metres;
        for (let at = node; at !== target.node; ) {
          const edge = edges[via[at]!]!;
          const forwards = ends[via[at]!]!.from === at;
          line.push(...(forwards ? edge.line : [...edge.line].reverse()));
          metres += edge.lengthM;
          at = forwards ? ends[via[at]!]!.to : ends[via[at]!]!.from;
        }
        line.push(destination);
        return { seconds: seconds[node]! + offNetworkSeconds(accessM, mode) + offNetworkSeconds(target.metres, mode), metres, line };
      });
    },
    secondsFromNearest(sources, places, mode = 'drive') {
      if (nodeAt.length === 0 || sources.length === 0) return places.map(() => Infinity);
      const { seconds } = settle(
        sources.map((source) => {
          const snapped = nearestNode(source);
          return { node: snapped.node, seconds: offNetworkSeconds(snapped.metres, mode) };
        }),
        () => false,
        mode,
        'onwards',
      );
      return places.map((place) => {
        const snapped = nearestNode(place);
        return seconds[snapped.node]! + offNetworkSeconds(snapped.metres, mode);
      });
    },
  };
}

/** A binary min-heap of (cost, node). */
class MinHeap {
  private readonly costs: number[] = [];
  private readonly nodes: number[] = [];
  get size() {
    return this.costs.length;
  }
  push(cost: number, node: number) {
    let i = this.costs.push(cost) - 1;
    this.nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.costs[parent]! <= cost) break;
      this.swap(i, parent);
      i = parent;
    }
  }
  pop(): [number, number] {
    const top: [number, number] = [this.costs[0]!, this.nodes[0]!];
    const lastCost = this.costs.pop()!;
    const lastNode = this.nodes.pop()!;
    if (this.costs.length > 0) {
      this.costs[0] = lastCost;
      this.nodes[0] = lastNode;
      for (let i = 0; ; ) {
        const [left, right] = [2 * i + 1, 2 * i + 2];
        let smallest = i;
        if (left < this.costs.length && this.costs[left]! < this.costs[smallest]!) smallest = left;
        if (right < this.costs.length && this.costs[right]! < this.costs[smallest]!) smallest = right;
        if (smallest === i) break;
        this.swap(i, smallest);
        i = smallest;
      }
    }
    return top;
  }
  private swap(a: number, b: number) {
    [this.costs[a], this.costs[b]] = [this.costs[b]!, this.costs[a]!];
    [this.nodes[a], this.nodes[b]] = [this.nodes[b]!, this.nodes[a]!];
  }
}
