import type { LonLat } from './local-frame.ts';

/** A closed ring: the first and last positions are equal. */
export type Ring = LonLat[];

export const roadClasses = ['expressway', 'arterial', 'collector', 'local'] as const;
export type RoadClass = (typeof roadClasses)[number];
export const cameraSiteKinds = ['hd-video', 'e-police', 'smart-light'] as const;
export type CameraSiteKind = (typeof cameraSiteKinds)[number];
export const entityKinds = ['police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck'] as const;
export type EntityKind = (typeof entityKinds)[number];

interface Named {
  id: string;
  nameZh: string;
  nameEn: string;
}

/** Everything a city brain knows about a city before the first live event: what `seeds/` makes and `geo/` stores. */
export interface CityData {
  profile: string;
  nameZh: string;
  nameEn: string;
  seed: number;
  generatorVersion: number;
  center: LonLat;
  bounds: Ring;
  districts: (Named & { ring: Ring })[];
  communities: (Named & { districtId: string; residents: number; ring: Ring })[];
  gridCells: { id: string; districtId: string; ring: Ring }[];
  water: (Named & { ring: Ring })[];
  roads: (Named & { roadClass: RoadClass })[];
  roadSegments: { id: string; roadId: string; fromNode: number; toNode: number; lengthM: number; speedLimitKmh: number; line: LonLat[] }[];
  cameraSites: (Named & { kind: CameraSiteKind; districtId: string; point: LonLat })[];
  cameras: { id: string; siteId: string; headingDeg: number; segmentId: string }[];
  policeStations: (Named & { districtId: string; point: LonLat })[];
  busStops: (Named & { point: LonLat })[];
  busRoutes: (Named & { color: string; line: LonLat[]; stopIds: string[]; headwayS: number; scheduledSpeedKmh: number; utcOffsetMin: number })[];
  entities: { id: string; kind: EntityKind; label: string; status: string; stationId?: string; routeId?: string; point: LonLat; headingDeg: number }[];
}
