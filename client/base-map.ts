import { Map as MapLibreMap, setWorkerUrl } from 'maplibre-gl';
// MapLibre looks for its worker beside its own module, which a bundle does not have; serve it as an asset.
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { CitySummary } from '../streams/index.ts';
import { basemapStyle } from './basemap-style.ts';
import type { Language } from './i18n.ts';

/** The city's base map from this server, framed on the whole city, flat (no rotating or tilting). */
export function openBaseMap(container: HTMLElement, city: CitySummary, language: Language, scale: number, maxCanvasSize?: [number, number]): MapLibreMap {
  setWorkerUrl(maplibreWorkerUrl);
  return new MapLibreMap({
    container,
    ...(maxCanvasSize && { maxCanvasSize }),
    style: basemapStyle(location.origin, language, scale),
    bounds: city.bbox,
    fitBoundsOptions: { padding: 24 },
    attributionControl: false,
    // A video wall is watched, not dragged; operators still can zoom.
    dragRotate: false,
    pitchWithRotate: false,
  });
}

