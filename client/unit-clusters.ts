import { entityKindOrder, type EntityTable } from './entity-table.ts';

/** Below this zoom the wall groups the units near each other on screen into counted symbols. */
export const clusterBelowZoom = 14;
/** A cluster cell on screen, CSS px before the wall's scale. */
export const clusterCellPx = 96;
/** A cell's kinds stand in a ring this far from its centre, CSS px before scale, one place per kind. */
const rosettePx = 26;
/** A cluster disc's largest radius, CSS px before scale: the ring's discs never touch. */
const maxRadiusPx = 12.5;

/** Units of one kind close together on screen, drawn as one disc with their count. */
export interface UnitCluster {
  /** Index into entityKindOrder. */
  kind: number;
  /** Where the disc stands, WGS-84 degrees: its cell's place in the ring around the units' middle. */
  lon: number;
  lat: number;
  /** The members' table slots. */
  slots: number[];
  /** The members' extent, [west, south, east, north]: clicking the cluster frames it. */
  bbox: [number, number, number, number];
}

export interface Clustering {
  clusters: UnitCluster[];
  /** 1 for a slot drawn inside a cluster rather than as its own icon. */
  clustered: Uint8Array;
}

/**
 * Groups the shown units on a grid fixed to the world (Web Mercator pixels at `zoom`, MapLibre's
 * 512-px tiles), so cells do not shift as the map pans. In each cell, a kind with two or more units
 * becomes one disc; the cell's discs stand in a ring around the middle of its units, each kind in
 * its own place (police cars on top), so kinds never hide each other and a kind is found in the
 * same place in every cell. A lone unit keeps its icon, as do hidden kinds' units (not drawn at
 * all) and the `keep` slot (the unit the wall follows). One pass over the table.
 */
export function clusterUnits(table: EntityTable, hidden: readonly string[], zoom: number, scale: number, keep?: number): Clustering {
  const clustered = new Uint8Array(table.size);
  if (zoom >= clusterBelowZoom) return { clusters: [], clustered };
  const worldPx = 512 * 2 ** zoom;
  const cellPx = clusterCellPx * scale;
  const cells = new Map<number, number[]>();
  for (let slot = 0; slot < table.size; slot++) {
    if (slot === keep || hidden.includes(table.kindOf(slot)) || Number.isNaN(table.shown[2 * slot]!)) continue;
    const [x, y] = worldXy(table.shown[2 * slot]!, table.shown[2 * slot + 1]!, worldPx);
    // One number per cell: at zoom 14 a row has under 100,000 cells, well inside 2^53.
    const key = Math.floor(x / cellPx) * 1_000_003 + Math.floor(y / cellPx);
    const members = cells.get(key);
    if (members) members.push(slot);
    else cells.set(key, [slot]);
  }
  const clusters: UnitCluster[] = [];
  for (const slots of cells.values()) {
    const byKind = entityKindOrder.map(() => [] as number[]);
    for (const slot of slots) byKind[table.kinds[slot]!]!.push(slot);
    const grouped = byKind.filter((members) => members.length >= 2);
    if (grouped.length === 0) continue;
    const [middleX, middleY] = middleOf(grouped.flat(), table, worldPx);
    for (const members of grouped) {
      const kind = table.kinds[members[0]!]!;
      const angle = (2 * Math.PI * kind) / entityKindOrder.length;
      const [lon, lat] = worldLonLat(middleX + rosettePx * scale * Math.sin(angle), middleY - rosettePx * scale * Math.cos(angle), worldPx);
      for (const slot of members) clustered[slot] = 1;
      clusters.push({ kind, lon, lat, slots: members, bbox: extentOf(members, table) });
    }
  }
  return { clusters, clustered };
}

// Clusters follow gliding units at most this often, ms: a cluster's members change slowly.
const reclusterMs = 500;

/**
 * The map's clustering, redone when the zoom (to a tenth), the hidden kinds, the followed unit or
 * the number of units change, and every reclusterMs while units move.
 */
export function createClusterer(scale: number) {
  let groupedFor = '';
  let groupedAt = -Infinity;
  let groupedTable = -1;
  const state = { current: { clusters: [], clustered: new Uint8Array(0) } as Clustering, version: 0 };
  return Object.assign(state, {
    /** Groups the units again when due; true when the grouping changed. */
    update(table: EntityTable, hidden: readonly string[], zoom: number, keep: number | undefined, now: number): boolean {
      const key = `${zoom.toFixed(1)}:${hidden.join()}:${keep}:${table.size}`;
      if (key === groupedFor && (table.version === groupedTable || now - groupedAt < reclusterMs)) return false;
      [groupedFor, groupedAt, groupedTable] = [key, now, table.version];
      state.current = clusterUnits(table, hidden, zoom, scale, keep);
      state.version += 1;
      return true;
    },
  });
}

/** A cluster disc's radius, CSS px before scale: grows with the count, slowly, up to what the ring has room for. */
export function clusterRadiusPx(count: number): number {
  return Math.min(maxRadiusPx, 9 + 1.2 * Math.log2(count));
}

function worldXy(lon: number, lat: number, worldPx: number): [number, number] {
  const sinLat = Math.sin((lat * Math.PI) / 180);
  return [((lon + 180) / 360) * worldPx, (0.5 - Math.log((1 + sinLat) / (1 - sinLat)) / (4 * Math.PI)) * worldPx];
}

function worldLonLat(x: number, y: number, worldPx: number): [number, number] {
  const lat = (Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / worldPx))) * 180) / Math.PI;
  return [(x / worldPx) * 360 - 180, lat];
}

function middleOf(slots: readonly number[], table: EntityTable, worldPx: number): [number, number] {
  let [sumX, sumY] = [0, 0];
  for (const slot of slots) {
    const [x, y] = worldXy(table.shown[2 * slot]!, table.shown[2 * slot + 1]!, worldPx);
    [sumX, sumY] = [sumX + x, sumY + y];
  }
  return [sumX / slots.length, sumY / slots.length];
}

function extentOf(slots: readonly number[], table: EntityTable): UnitCluster['bbox'] {
  const bbox: UnitCluster['bbox'] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const slot of slots) {
    const [lon, lat] = [table.shown[2 * slot]!, table.shown[2 * slot + 1]!];
    bbox[0] = Math.min(bbox[0], lon);
    bbox[1] = Math.min(bbox[1], lat);
    bbox[2] = Math.max(bbox[2], lon);
    bbox[3] = Math.max(bbox[3], lat);
  }
  return bbox;
}
