import { ScatterplotLayer } from '@deck.gl/layers';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { Map as MapLibreMap, setWorkerUrl } from 'maplibre-gl';
// MapLibre looks for its worker beside its own module, which a bundle does not have; serve it as an asset.
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { CitySummary, SegmentTraffic } from '../streams/index.ts';
import { basemapStyle } from './basemap-style.ts';
import { entityKindOrder, type EntityTable } from './entity-table.ts';
import type { Language } from './i18n.ts';
import { entityColors, entityRadiusPx, wallScale } from './theme.ts';

// Gliding entities are redrawn at most this often, ms: smooth to the eye, light on a wall PC.
const frameEveryMs = 66;

/** The wall's map: the city base map from this server with live entities drawn by deck.gl over it. */
export function createCityMap(container: HTMLElement, city: CitySummary, language: Language) {
  setWorkerUrl(maplibreWorkerUrl);
  const scale = wallScale(window.innerHeight);
  const map = new MapLibreMap({
    container,
    style: basemapStyle(location.origin, language, scale),
    bounds: city.bbox,
    fitBoundsOptions: { padding: 24 },
    attributionControl: false,
    // A video wall is watched, not dragged; operators still can zoom.
    dragRotate: false,
    pitchWithRotate: false,
  });
  const overlay = new MapLibreOverlay({ layers: [] });
  map.addControl(overlay);

  const colors = entityKindOrder.map((kind) => entityColors[kind]);
  const radii = entityKindOrder.map((kind) => scale * entityRadiusPx[kind]);
  /** Re-describes the entity layer from the table; deck.gl re-reads only when the version moved. */
  const renderEntities = (table: EntityTable): void => {
      overlay.setProps({
        layers: [
          new ScatterplotLayer<number>({
            id: 'live-entities',
            data: { length: table.size } as unknown as number[],
            getPosition: (_: unknown, { index }: { index: number }) => [table.shown[2 * index]!, table.shown[2 * index + 1]!],
            getFillColor: (_: unknown, { index }: { index: number }) => colors[table.kinds[index]!]!,
            getRadius: (_: unknown, { index }: { index: number }) => radii[table.kinds[index]!]!,
            radiusUnits: 'pixels',
            stroked: true,
            getLineColor: [7, 13, 23],
            lineWidthUnits: 'pixels',
            getLineWidth: scale,
            pickable: true,
            updateTriggers: { getPosition: table.version, getFillColor: table.size, getRadius: table.size },
          }),
        ],
      });
  };
  return {
    map,
    overlay,
    /** Colours road segments by their live congestion. */
    showTraffic(segments: readonly SegmentTraffic[]): void {
      const draw = () => segments.forEach((s) => map.setFeatureState({ source: 'roads', id: s.segmentId }, { level: s.level }));
      if (map.isSourceLoaded('roads')) draw();
      else map.once('idle', draw);
    },
    /** Draws the table and keeps its entities gliding between reports. */
    follow(table: EntityTable): void {
      let drawnAt = 0;
      const frame = (now: number) => {
        if (now - drawnAt >= frameEveryMs) {
          drawnAt = now;
          if (table.advance(now)) renderEntities(table);
        }
        requestAnimationFrame(frame);
      };
      renderEntities(table);
      requestAnimationFrame(frame);
    },
  };
}
export type CityMap = ReturnType<typeof createCityMap>;
