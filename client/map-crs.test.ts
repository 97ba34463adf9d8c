import { describe, expect, it } from 'vitest';
import { distanceMetres } from '../geo/index.ts';
import { wgs84ToGcj02 } from '../streams/index.ts';
import { mapCoordinates } from './map-crs.ts';

const karamay: [number, number] = [84.87, 45.6];

describe('the map’s coordinates', () => {
  it('are the server’s own on a WGS-84 base map', () => {
    const onMap = mapCoordinates({ kind: 'tiles', format: 'pbf', minzoom: 0, maxzoom: 14, bounds: [84, 45, 86, 46], vectorLayers: [] });
    expect(onMap.toMap(karamay)).toBe(karamay);
    expect(mapCoordinates(undefined).gcj02).toBe(false);
  });

  it('move each point onto a GCJ-02 map and a point picked there back, to the millimetre', () => {
    const onMap = mapCoordinates({ kind: 'style', url: 'http://127.0.0.1:8090/style.json', crs: 'gcj02' });
    for (const at of [karamay, [116.4, 39.9], [121.47, 31.23]] as [number, number][]) {
      expect(onMap.toMap(at)).toEqual(wgs84ToGcj02(at));
      expect(distanceMetres(onMap.fromMap(onMap.toMap(at)), at)).toBeLessThan(0.001);
    }
    // A box keeps every moved corner inside it.
    const box = onMap.toMapBbox([84.8, 45.55, 84.95, 45.64]);
    for (const corner of [[84.8, 45.55], [84.95, 45.64], [84.8, 45.64], [84.95, 45.55]] as [number, number][]) {
      const [lon, lat] = onMap.toMap(corner);
      expect(lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]).toBe(true);
    }
  });
});
