import type { ExpressionSpecification, LayerSpecification, LineLayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { CitySummary } from '../streams/index.ts';
import { archiveSource, archiveStyle } from './basemap-own.ts';
import { bundledFontFaces, bundledFontFamily } from './bundled-font.ts';
import type { Language } from './i18n.ts';
import { wallTheme } from './theme.ts';

/**
 * The base map, entirely from this server (command centres run on isolated networks): the city's
 * districts, grid cells, water and roads made by PostGIS — one GeoJSON each, or vector tiles for a
 * large city (cityLayers) — labels in the bundled font (no glyphs URL). `scale` enlarges lines and
 * labels for big walls. A city's own tile archive (BASE_MAP), served by this server too, is drawn
 * under these layers.
 */
// Vector tiles of the city's layers are cut up to this zoom and drawn larger beyond it.
const cityTilesMaxZoom = 14;

type CityLayers = Pick<CitySummary, 'tiledLayers' | 'bbox'>;
/** Whether a layer of the city comes as tiles: then its layers and its live state name its source layer. */
export const isTiledLayer = (city: Pick<CitySummary, 'tiledLayers'>, source: string): boolean => (city.tiledLayers as string[] | undefined)?.includes(source) ?? false;

// Features are keyed by their id property, so live state (congestion) can be set on them.
function cityLayerSource(origin: string, crs: string, city: CityLayers) {
  return (layer: string): SourceSpecification =>
    isTiledLayer(city, layer)
      ? { type: 'vector', tiles: [`${origin}/api/basemap/city-tiles/${layer}/{z}/{x}/{y}${crs}`], maxzoom: cityTilesMaxZoom, bounds: city.bbox, promoteId: 'id' }
      : { type: 'geojson', data: `${origin}/api/basemap/${layer}.geojson${crs}`, promoteId: 'id' };
}

const roadWidthPx = {
  city: { local: 0.6, collector: 1, arterial: 1.8, expressway: 2.6 },
  street: { local: 3, collector: 5, arterial: 8, expressway: 11 },
} as const;

export function basemapStyle(origin: string, language: Language, scale: number, city: CityLayers & Pick<CitySummary, 'baseMap'>): StyleSpecification {
  const { baseMap } = city;
  const archive = baseMap?.kind === 'tiles' ? archiveStyle(baseMap, origin, scale) : undefined;
  // On a GCJ-02 base map the city's own layers come moved onto it.
  const crs = baseMap?.kind !== 'city' && baseMap?.crs === 'gcj02' ? '?crs=gcj02' : '';
  const source = cityLayerSource(origin, crs, city);
  const nameField = language === 'en' ? 'name_en' : 'name_zh';
  const t = wallTheme;
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': t.background } },
    { id: 'districts-fill', type: 'fill', source: 'districts', paint: { 'fill-color': t.districtFill } },
    ...((archive?.layers ?? []) as LayerSpecification[]),
    {
      // Grid cells with open reports warm up with their count.
      id: 'grid-cells-open',
      type: 'fill',
      source: 'grid-cells',
      paint: {
        'fill-color': t.openReports,
        'fill-opacity': ['interpolate', ['linear'], ['coalesce', ['feature-state', 'open'], 0], 0, 0, 1, 0.18, 5, 0.45] as ExpressionSpecification,
      },
    },
    { id: 'grid-cells', type: 'line', source: 'grid-cells', minzoom: 12.5, paint: { 'line-color': t.gridLine, 'line-width': 0.6 } },
    { id: 'water', type: 'fill', source: 'water', paint: { 'fill-color': t.water } },
    {
      // Where events have gathered lately (camera events of the last hours, open reports), by severity.
      id: 'recent-events-heat',
      type: 'heatmap',
      source: 'recent-events',
      paint: {
        'heatmap-weight': ['/', ['get', 'severity'], 4] as ExpressionSpecification,
        'heatmap-radius': ['interpolate', ['linear'], ['zoom'], 10, 18 * scale, 15, 40 * scale] as ExpressionSpecification,
        'heatmap-intensity': 0.8,
        'heatmap-opacity': 0.55,
        'heatmap-color': ['interpolate', ['linear'], ['heatmap-density'], 0, 'rgba(0,0,0,0)', 0.3, t.heat[0], 0.6, t.heat[1], 1, t.heat[2]] as ExpressionSpecification,
      },
    },
    ...(['local', 'collector', 'arterial', 'expressway'] as const).map(
      (roadClass): LineLayerSpecification => ({
        id: `roads-${roadClass}`,
        type: 'line',
        source: 'roads',
        filter: ['==', ['get', 'class'], roadClass],
        layout: { 'line-cap': 'round', 'line-join': 'round' },
        paint: {
          'line-color': ['match', ['feature-state', 'level'], 'congested', t.traffic.congested, 'slow', t.traffic.slow, t.roads[roadClass]] as ExpressionSpecification,
          // Widths in px by zoom: legible from metres away at city scale, not blobs when zoomed in.
          'line-width': ['interpolate', ['linear'], ['zoom'], 11, scale * roadWidthPx.city[roadClass], 15, scale * roadWidthPx.street[roadClass]] as ExpressionSpecification,
        },
      }),
    ),
    { id: 'bus-routes', type: 'line', source: 'bus-routes', minzoom: 13, paint: { 'line-color': ['get', 'color'], 'line-opacity': 0.35, 'line-width': 1.5 } },
    { id: 'districts-line', type: 'line', source: 'districts', paint: { 'line-color': t.districtLine, 'line-width': 1.5 * scale, 'line-dasharray': [3, 2] } },
    // The district the tour is on, outlined so the room sees which one is meant.
    {
      id: 'districts-toured',
      type: 'line',
      source: 'districts',
      paint: { 'line-color': '#ffd27a', 'line-width': 4 * scale, 'line-opacity': ['case', ['boolean', ['feature-state', 'toured'], false], 0.95, 0] as ExpressionSpecification },
    },
    {
      id: 'camera-sites',
      type: 'circle',
      source: 'camera-sites',
      paint: {
        'circle-color': ['case', ['boolean', ['feature-state', 'offline'], false], t.stale, t.cameraSite] as ExpressionSpecification,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 1.2 * scale, 15, 4 * scale],
      },
    },
    {
      id: 'police-stations',
      type: 'circle',
      source: 'police-stations',
      paint: { 'circle-color': t.background, 'circle-stroke-color': t.policeStation, 'circle-stroke-width': 2 * scale, 'circle-radius': 5 * scale },
    },
    {
      id: 'district-labels',
      type: 'symbol',
      source: 'district-labels',
      layout: { 'text-field': ['get', nameField], 'text-font': [bundledFontFamily], 'text-size': 20 * scale },
      paint: { 'text-color': t.label, 'text-halo-color': t.labelHalo, 'text-halo-width': 2 * scale, 'text-opacity': 0.85 },
    },
  ];
  return {
    version: 8,
    'font-faces': bundledFontFaces(),
    sources: {
      districts: source('districts'),
      'grid-cells': source('grid-cells'),
      water: source('water'),
      roads: source('roads'),
      'bus-routes': source('bus-routes'),
      'camera-sites': source('camera-sites'),
      'police-stations': source('police-stations'),
      'district-labels': source('district-labels'),
      // Filled from the alerts on the wall (see city-map), not from a URL.
      'recent-events': { type: 'geojson', data: { type: 'FeatureCollection', features: [] } },
      ...(archive && { [archiveSource]: archive.source }),
    },
    // A tiled layer's features are in the tile layer of the same name.
    layers: layers.map((layer) => ('source' in layer && isTiledLayer(city, layer.source) ? { ...layer, 'source-layer': layer.source } : layer)),
  };
}
