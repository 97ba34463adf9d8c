// The one module the client takes values from outside itself: pure arithmetic, no imports (the
// streams/ surface would bring the server's code; the build stops if any of that is bundled).
import { gcj02ToWgs84, wgs84ToGcj02 } from '../streams/crs.ts';
import type { BaseMapSource, CitySummary } from '../streams/index.ts';

type LonLat = [number, number];
type Bbox = [number, number, number, number];

/**
 * Between the server's WGS-84 and the base map's coordinates. A base map in GCJ-02 (China's
 * published maps are) is hundreds of metres off WGS-84, by an amount that varies across a city
 * (39 m over Karamay, 50 m over Beijing): every point is moved, not the layers as a whole.
 */
export interface MapCoordinates {
  gcj02: boolean;
  toMap(at: LonLat): LonLat;
  /** A point picked on the map, back in WGS-84 for the server. */
  fromMap(at: LonLat): LonLat;
  toMapBbox(box: Bbox): Bbox;
}

const same = (at: LonLat): LonLat => at;

export function mapCoordinates(baseMap: BaseMapSource | undefined): MapCoordinates {
  if (baseMap?.kind === 'city' || baseMap?.crs !== 'gcj02') return { gcj02: false, toMap: same, fromMap: same, toMapBbox: (box) => box };
  const toMap = (at: LonLat) => wgs84ToGcj02(at);
  return {
    gcj02: true,
    toMap,
    fromMap: (at) => gcj02ToWgs84(at),
    toMapBbox: ([w, s, e, n]) => {
      const corners = [toMap([w, s]), toMap([e, n]), toMap([w, n]), toMap([e, s])];
      return [Math.min(...corners.map((c) => c[0])), Math.min(...corners.map((c) => c[1])), Math.max(...corners.map((c) => c[0])), Math.max(...corners.map((c) => c[1]))];
    },
  };
}

/** The city's framing (its bounds and each district's) in the base map's coordinates. */
export function cityOnMap(city: CitySummary, coordinates: MapCoordinates): CitySummary {
  if (!coordinates.gcj02) return city;
  return {
    ...city,
    center: coordinates.toMap(city.center),
    bbox: coordinates.toMapBbox(city.bbox),
    districts: city.districts.map((district) => ({ ...district, bbox: coordinates.toMapBbox(district.bbox) })),
  };
}
