import type { Map as MapLibreMap } from 'maplibre-gl';
import type { SegmentTraffic } from '../streams/index.ts';
import { cityFeature } from './base-map.ts';

/**
 * Road segments coloured by their live congestion (the roads layer's feature state). Traffic can
 * arrive before the roads are loaded; it waits here and each frame tries again (waiting for 'idle'
 * would wait forever: a live wall is never idle).
 */
export class RoadTraffic {
  private readonly pending: SegmentTraffic[] = [];
  /** Per segment, the time of the traffic taken last (epoch ms). */
  private readonly shownAt = new Map<string, number>();

  constructor(private readonly map: MapLibreMap) {}

  show(segments: readonly SegmentTraffic[]): void {
    for (const segment of segments) {
      // A snapshot read before a push can arrive after it: what is older than shown is dropped.
      const at = Date.parse(segment.updatedAt);
      if (at < (this.shownAt.get(segment.segmentId) ?? -Infinity)) continue;
      this.shownAt.set(segment.segmentId, at);
      this.pending.push(segment);
    }
    this.paint();
  }

  /** Shows no congestion until traffic comes again (a replay jumped to another moment). */
  clear(): void {
    this.pending.length = 0;
    if (this.map.getSource('roads')) for (const segmentId of this.shownAt.keys()) this.map.removeFeatureState(cityFeature(this.map, 'roads', segmentId), 'level');
    this.shownAt.clear();
  }

  /** Paints what waits, once the roads are loaded. */
  paint(): void {
    const { map } = this;
    if (this.pending.length === 0 || !map.getSource('roads') || !map.isSourceLoaded('roads')) return;
    for (const segment of this.pending.splice(0)) map.setFeatureState(cityFeature(map, 'roads', segment.segmentId), { level: segment.level });
  }
}
