/** [longitude, latitude] in degrees, WGS-84. */
export type LonLat = [number, number];
/** [east, north] in metres from a frame's origin. */
export type Metres = [number, number];

const metresPerDegreeLat = 111_320;

/**
 * A flat east/north frame in metres around a city centre. An equirectangular projection is
 * accurate to well under 0.1% across a 30 km city, which is all the generators and simulators need.
 */
export function localFrame(origin: LonLat) {
  const metresPerDegreeLon = metresPerDegreeLat * Math.cos((origin[1] * Math.PI) / 180);
  return {
    toLonLat: ([east, north]: Metres): LonLat => [
      round7(origin[0] + east / metresPerDegreeLon),
      round7(origin[1] + north / metresPerDegreeLat),
    ],
    toMetres: ([lon, lat]: LonLat): Metres => [(lon - origin[0]) * metresPerDegreeLon, (lat - origin[1]) * metresPerDegreeLat],
  };
}

// 1e-7° is ~1 cm: enough for vehicles, and keeps payloads and fixtures short.
function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

/** Great-circle distance in metres (haversine). */
export function distanceMetres(a: LonLat, b: LonLat): number {
  const toRad = Math.PI / 180;
  const dLat = (b[1] - a[1]) * toRad;
  const dLon = (b[0] - a[0]) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/** Compass bearing from a to b in degrees, 0 = north, clockwise, in [0, 360). */
export function bearingDeg(a: LonLat, b: LonLat): number {
  const toRad = Math.PI / 180;
  const y = Math.sin((b[0] - a[0]) * toRad) * Math.cos(b[1] * toRad);
  const x = Math.cos(a[1] * toRad) * Math.sin(b[1] * toRad) - Math.sin(a[1] * toRad) * Math.cos(b[1] * toRad) * Math.cos((b[0] - a[0]) * toRad);
  return ((Math.atan2(y, x) * 180) / Math.PI + 360) % 360;
}
