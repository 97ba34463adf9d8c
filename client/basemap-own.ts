import type { LayerSpecification, SourceSpecification, StyleSpecification } from 'maplibre-gl';
import type { BaseMapSource } from '../streams/index.ts';
import { wallTheme } from './theme.ts';

type TileArchive = Extract<BaseMapSource, { kind: 'tiles' }>;

/** The source id of a city's own tile archive in the style. */
export const archiveSource = 'archive';

// An archive may follow any schema (OpenMapTiles, Protomaps, a survey bureau's own): each vector
// layer is drawn by its geometry, coloured by what its name says it is, quiet under the live layers.
const layerKinds = [
  ['water', /water|ocean|lake|river|sea|水/i],
  ['road', /road|street|transport|highway|rail|路/i],
  ['building', /building|建筑/i],
  ['boundary', /boundar|admin|border|界/i],
] as const;
type LayerKind = (typeof layerKinds)[number][0] | 'other';
const kindOf = (name: string): LayerKind => layerKinds.find(([, pattern]) => pattern.test(name))?.[0] ?? 'other';

const t = wallTheme;
const fillColor: Record<LayerKind, string | undefined> = { water: t.water, building: '#111d2e', other: '#0b1422', road: undefined, boundary: undefined };
const lineColor: Record<LayerKind, string> = { water: t.water, road: t.roads.collector, building: '#16263b', boundary: t.districtLine, other: '#1a2a40' };
// Polygons first (land, then water, then buildings), lines over them (boundaries, then roads).
const fillOrder: LayerKind[] = ['other', 'water', 'building'];
const lineOrder: LayerKind[] = ['other', 'water', 'building', 'boundary', 'road'];

/** The archive's source and its layers, to go under the city's own overlays. */
export function archiveStyle(archive: TileArchive, origin: string, scale: number): { source: SourceSpecification; layers: LayerSpecification[] } {
  const common = {
    tiles: [`${origin}/api/basemap/tiles/{z}/{x}/{y}`],
    minzoom: archive.minzoom,
    maxzoom: archive.maxzoom,
    bounds: archive.bounds,
    ...(archive.attribution && { attribution: archive.attribution }),
  };
  if (archive.format !== 'pbf') {
    return { source: { type: 'raster', tileSize: 256, ...common }, layers: [{ id: 'archive-raster', type: 'raster', source: archiveSource }] };
  }
  const named = archive.vectorLayers.map((name) => ({ name, kind: kindOf(name) }));
  // The archive's layers of each kind, in the order given, drawn as `type` from their `geometry`.
  const drawn = (order: LayerKind[], type: 'fill' | 'line', geometry: 'Polygon' | 'LineString', style: (kind: LayerKind) => object) =>
    order.flatMap((kind) =>
      named
        .filter((layer) => layer.kind === kind)
        .map((layer) => ({ id: `archive-${type}-${layer.name}`, type, source: archiveSource, 'source-layer': layer.name, filter: ['==', ['geometry-type'], geometry], ...style(kind) }) as LayerSpecification),
    );
  const fills = drawn(fillOrder, 'fill', 'Polygon', (kind) => ({ paint: { 'fill-color': fillColor[kind]! } }));
  const lines = drawn(lineOrder, 'line', 'LineString', (kind) => ({
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': lineColor[kind],
      'line-width': kind === 'road' ? ['interpolate', ['linear'], ['zoom'], 10, 0.5 * scale, 16, 4 * scale] : scale,
      ...(kind === 'boundary' && { 'line-dasharray': [3, 2] }),
    },
  }));
  return { source: { type: 'vector', ...common }, layers: [...fills, ...lines] };
}

// The city's own layers a style from the city's network already draws in its own way.
const drawnByTheStyle = new Set(['background', 'districts-fill', 'water']);

/**
 * A style from the city's own network with the city's overlays on top (districts, grid cells,
 * roads with their congestion, bus routes, cameras, stations, labels in the bundled font).
 */
export function withCityOverlays(style: StyleSpecification, city: StyleSpecification): StyleSpecification {
  return {
    ...style,
    'font-faces': { ...style['font-faces'], ...city['font-faces'] },
    sources: { ...style.sources, ...city.sources },
    layers: [...style.layers, ...city.layers.filter((layer) => !drawnByTheStyle.has(layer.id))],
  };
}
