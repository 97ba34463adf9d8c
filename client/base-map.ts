import { Map as MapLibreMap, setWorkerUrl } from 'maplibre-gl';
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
  const style = basemapStyle(location.origin, language, scale, city.baseMap);
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

