// China's map coordinate systems, converted at the edge: everything inside is WGS-84. GCJ-02 (the
// national "Mars" offset, used by AMap, Tencent and most Chinese feeds) is WGS-84 shifted by a
// published non-linear function; BD-09 (Baidu) is GCJ-02 shifted again. Both forward functions
// are the public formulas; the inverses are solved iteratively, so a round trip lands within
// millimetres, where the usual one-step inverse (subtract the shift at the shifted point) is off by
// up to metres.
import type { LonLat } from '../geo/index.ts';

/** A coordinate system a file, a feed or a base map may use. */
export type Crs = 'wgs84' | 'gcj02' | 'bd09';

/** Degrees to 7 decimals (about a centimetre): what a converted point is kept and sent at. */
export const round7 = (degrees: number) => Math.round(degrees * 1e7) / 1e7;
export const crsNames: readonly Crs[] = ['wgs84', 'gcj02', 'bd09'];

// Krasovsky 1940, as the GCJ-02 formula uses it.
const semiMajorM = 6378245.0;
const eccentricity2 = 0.00669342162296594323;
const baiduPi = (Math.PI * 3000.0) / 180.0;
// An inverse stops once its step is below this, degrees (~0.1 mm), or after this many steps.
const toleranceDeg = 1e-9;
const maxSteps = 30;

/** GCJ-02 shifts only inside China's rough bounding box; outside it the systems agree. */
export function outsideChina([lon, lat]: LonLat): boolean {
  return lon < 72.004 || lon > 137.8347 || lat < 0.8293 || lat > 55.8271;
}

function shiftLat(x: number, y: number): number {
  let shift = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(y * Math.PI) + 40.0 * Math.sin((y / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((160.0 * Math.sin((y / 12.0) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30.0)) * 2.0) / 3.0;
  return shift;
}

function shiftLon(x: number, y: number): number {
  let shift = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  shift += ((20.0 * Math.sin(6.0 * x * Math.PI) + 20.0 * Math.sin(2.0 * x * Math.PI)) * 2.0) / 3.0;
  shift += ((20.0 * Math.sin(x * Math.PI) + 40.0 * Math.sin((x / 3.0) * Math.PI)) * 2.0) / 3.0;
  shift += ((150.0 * Math.sin((x / 12.0) * Math.PI) + 300.0 * Math.sin((x / 30.0) * Math.PI)) * 2.0) / 3.0;
  return shift;
}

export function wgs84ToGcj02(at: LonLat): LonLat {
  if (outsideChina(at)) return [at[0], at[1]];
  const [lon, lat] = at;
  const radLat = (lat / 180.0) * Math.PI;
  const magic = 1 - eccentricity2 * Math.sin(radLat) ** 2;
  const sqrtMagic = Math.sqrt(magic);
  const dLat = (shiftLat(lon - 105.0, lat - 35.0) * 180.0) / (((semiMajorM * (1 - eccentricity2)) / (magic * sqrtMagic)) * Math.PI);
  const dLon = (shiftLon(lon - 105.0, lat - 35.0) * 180.0) / ((semiMajorM / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return [lon + dLon, lat + dLat];
}

export function gcj02ToBd09([lon, lat]: LonLat): LonLat {
  const z = Math.sqrt(lon * lon + lat * lat) + 0.00002 * Math.sin(lat * baiduPi);
  const theta = Math.atan2(lat, lon) + 0.000003 * Math.cos(lon * baiduPi);
  return [z * Math.cos(theta) + 0.0065, z * Math.sin(theta) + 0.006];
}

/**
 * The point `forward` maps onto `target`: fixed-point steps w ← w − (forward(w) − target), which
 * converge because both shifts change slowly over the few hundred metres they move a point.
 */
function invert(forward: (at: LonLat) => LonLat, target: LonLat): LonLat {
  let guess: LonLat = [target[0], target[1]];
  for (let step = 0; step < maxSteps; step++) {
    const [lon, lat] = forward(guess);
    const [dLon, dLat] = [lon - target[0], lat - target[1]];
    guess = [guess[0] - dLon, guess[1] - dLat];
    if (Math.abs(dLon) < toleranceDeg && Math.abs(dLat) < toleranceDeg) break;
  }
  return guess;
}

export const gcj02ToWgs84 = (at: LonLat): LonLat => (outsideChina(at) ? [at[0], at[1]] : invert(wgs84ToGcj02, at));
export const bd09ToGcj02 = (at: LonLat): LonLat => invert(gcj02ToBd09, at);
export const bd09ToWgs84 = (at: LonLat): LonLat => gcj02ToWgs84(bd09ToGcj02(at));
export const wgs84ToBd09 = (at: LonLat): LonLat => gcj02ToBd09(wgs84ToGcj02(at));

/** A point in `crs` as WGS-84, for what a file or feed says. */
export function toWgs84(crs: Crs, at: LonLat): LonLat {
  return crs === 'gcj02' ? gcj02ToWgs84(at) : crs === 'bd09' ? bd09ToWgs84(at) : [at[0], at[1]];
}

/** A WGS-84 point as `crs`, for a base map drawn in it. */
export function fromWgs84(crs: Crs, at: LonLat): LonLat {
  return crs === 'gcj02' ? wgs84ToGcj02(at) : crs === 'bd09' ? wgs84ToBd09(at) : [at[0], at[1]];
}
