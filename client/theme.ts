import type { EntityKind } from '../streams/index.ts';

// Dark theme for a video wall watched from metres away: a quiet base map, saturated live layers.
export const wallTheme = {
  background: '#070d17',
  districtFill: '#0d1726',
  districtLine: '#35557d',
  gridLine: '#142338',
  water: '#0f3554',
  roads: { expressway: '#5a7bb0', arterial: '#3f5c88', collector: '#2c4466', local: '#1f324d' },
  label: '#9fb6d6',
  labelHalo: '#070d17',
  cameraSite: '#2e4a6e',
  openReports: '#ff8c42',
  // Live congestion, drawn over the road's own colour.
  traffic: { slow: '#f0a030', congested: '#e8413c' },
  /** Alert colour by severity 1–4, RGB. */
  alerts: [
    [230, 194, 41],
    [255, 140, 66],
    [255, 59, 59],
    [255, 45, 212],
  ] as [number, number, number][],
  /** The heatmap of recent events, from thin to dense. */
  heat: ['#5a2d82', '#d6457a', '#ffb347'],
  fresh: '#7bd389',
  stale: '#ff5d5d',
  policeStation: '#4da3ff',
  /** The ring around the unit the map follows (the header's "跟随" is the same colour), RGB. */
  followed: [255, 210, 122] as [number, number, number],
} as const;

/** An issued warning's outline by how its delivery to the SMS gateway stands, RGB. */
export const warningDeliveryColors: Record<'pending' | 'delivered' | 'failed' | 'not-configured', [number, number, number]> = {
  pending: [255, 210, 122],
  delivered: [123, 211, 137],
  failed: [255, 93, 93],
  'not-configured': [138, 162, 194],
};

/** Live entity colours, RGB. */
export const entityColors: Record<EntityKind, [number, number, number]> = {
  'police-car': [77, 163, 255],
  'police-officer': [150, 200, 255],
  inspector: [255, 140, 66],
  bus: [246, 195, 68],
  taxi: [123, 211, 137],
  truck: [179, 136, 235],
};

/**
 * Symbol radius in CSS pixels before the wall's scale; police cars and buses matter most. The
 * smallest still spans about 10 px on a 1080-line tile read from 6 m: crowds of them are
 * clustered at city zoom, so a street view can afford symbols the room can see.
 */
export const entityRadiusPx: Record<EntityKind, number> = {
  'police-car': 4.5,
  'police-officer': 3.5,
  inspector: 3.5,
  bus: 4.5,
  taxi: 3,
  truck: 3,
};

/**
 * How much bigger than on a 1080-line screen everything drawn on the map must be: a 3840×2160
 * wall is read from as far away as a 1920×1080 one, so it needs twice the pixels per dot and letter.
 */
export function wallScale(screenHeightPx: number): number {
  return Math.max(1, screenHeightPx / 1080);
}
