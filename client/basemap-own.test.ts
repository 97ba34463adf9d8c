import type { StyleSpecification } from 'maplibre-gl';
import { describe, expect, it } from 'vitest';
import { archiveStyle, withCityOverlays } from './basemap-own.ts';

const archive = { kind: 'tiles' as const, format: 'pbf' as const, minzoom: 5, maxzoom: 14, bounds: [84, 45, 86, 46] as [number, number, number, number], vectorLayers: ['transportation', 'water', 'building', 'boundary', 'landuse', '道路'] };

describe('a city’s own base map', () => {
  it('draws any schema’s layers by geometry, polygons under lines, roads last, tiles from this server', () => {
    const { source, layers } = archiveStyle(archive, 'http://localhost:8080', 2);
    expect(source).toMatchObject({ type: 'vector', tiles: ['http://localhost:8080/api/basemap/tiles/{z}/{x}/{y}'], minzoom: 5, maxzoom: 14 });
    expect(layers.map((layer) => layer.id)).toEqual([
      'archive-fill-landuse',
      'archive-fill-water',
      'archive-fill-building',
      'archive-line-landuse',
      'archive-line-water',
      'archive-line-building',
      'archive-line-boundary',
      'archive-line-transportation',
      'archive-line-道路',
    ]);
    expect(archiveStyle({ ...archive, format: 'png', vectorLayers: [] }, '', 1)).toMatchObject({ source: { type: 'raster', tileSize: 256 }, layers: [{ id: 'archive-raster', type: 'raster' }] });
  });

  it('puts the city’s overlays over a style from the city’s network, leaving out what that style draws itself', () => {
    const theirs: StyleSpecification = { version: 8, glyphs: 'http://127.0.0.1:8090/fonts/{fontstack}/{range}.pbf', sources: { osm: { type: 'vector', url: 'http://127.0.0.1:8090/osm.json' } }, layers: [{ id: 'land', type: 'background' }] };
    const ours: StyleSpecification = {
      version: 8,
      sources: { districts: { type: 'geojson', data: '/api/basemap/districts.geojson' } },
      layers: [
        { id: 'background', type: 'background' },
        { id: 'districts-fill', type: 'fill', source: 'districts' },
        { id: 'districts-line', type: 'line', source: 'districts' },
      ],
    };
    const merged = withCityOverlays(theirs, ours);
    expect(merged.glyphs).toBe(theirs.glyphs);
    expect(Object.keys(merged.sources)).toEqual(['osm', 'districts']);
    expect(merged.layers.map((layer) => layer.id)).toEqual(['land', 'districts-line']);
  });
});
