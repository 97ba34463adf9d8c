import { Map as MapLibreMap, setWorkerUrl, type FeatureIdentifier, type LayerSpecification } from 'maplibre-gl';
// MapLibre looks for its worker beside its own module, which a bundle does not have; serve it as an asset.
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { CitySummary } from '../streams/index.ts';
import { withCityOverlays } from './basemap-own.ts';
import { basemapStyle } from './basemap-style.ts';
import type { Language } from './i18n.ts';

/**
 * The city's base map, framed on the whole city, flat (no rotating or tilting): from this server,
 * or a style on the city's own network with the city's overlays on top (BASE_MAP).
 */
export function openBaseMap(container: HTMLElement, city: CitySummary, language: Language, scale: number, maxCanvasSize?: [number, number]): MapLibreMap {
  setWorkerUrl(maplibreWorkerUrl);
  const style = basemapStyle(location.origin, language, scale, city);
  const map = new MapLibreMap({
    container,
    ...(maxCanvasSize && { maxCanvasSize }),
    style,
    bounds: city.bbox,
    fitBoundsOptions: { padding: 24 },
    attributionControl: false,
    // A video wall is watched, not dragged; operators still can zoom.
    dragRotate: false,
    pitchWithRotate: false,
  });
  if (city.baseMap?.kind === 'style') map.setStyle(city.baseMap.url, { diff: false, transformStyle: (_previous, next) => withCityOverlays(next, style) });
  return map;
}

/** Where a source of the city's keeps its features: a tiled layer's are in the tile layer of its name. */
export const tileLayerOf = (map: MapLibreMap, source: string): { sourceLayer?: string } => (map.getSource(source)?.type === 'vector' ? { sourceLayer: source } : {});

/** A feature of one of the city's layers, to set its live state. */
export const cityFeature = (map: MapLibreMap, source: string, id: string): FeatureIdentifier => ({ source, id, ...tileLayerOf(map, source) });

/** A layer drawn from one of the city's sources, reading its tile layer when that source is tiled. */
export function onCitySource(map: MapLibreMap, layer: LayerSpecification & { source: string }): LayerSpecification {
  const { sourceLayer } = tileLayerOf(map, layer.source);
  return sourceLayer ? ({ ...layer, 'source-layer': sourceLayer } as LayerSpecification) : layer;
}

