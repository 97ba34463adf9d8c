import { describe, expect, it } from 'vitest';
import { FrameCursor, LivePositionTable, type EntityKind } from '../streams/index.ts';
import { EntityTable } from './entity-table.ts';
import { clusterUnits } from './unit-clusters.ts';

/** A table (no gliding: shown where fixed) holding these units, [id, kind, lon, lat]. */
function tableOf(units: [string, EntityKind, number, number][]): EntityTable {
  const held = new LivePositionTable();
  const cursor = new FrameCursor(held, new Set<EntityKind>(['police-car', 'taxi', 'bus']));
  const fixTime = Date.parse('2026-12-04T08:00:00Z');
  cursor.markChanged(held.apply(units.map(([id, kind, lon, lat]) => ({ id, kind, label: id, lon, lat, headingDeg: Number.NaN, speedKmh: 0, status: 'patrol', districtId: 'd-01', cellId: 'c', fixTime }))));
  const table = new EntityTable(false);
  table.applyFrame(cursor.nextFrame(fixTime)!);
  return table;
}

describe('clusterUnits', () => {
  // At zoom 11 a 96-px cell is about 2.6 km across at Karamay's latitude.
  const units: [string, EntityKind, number, number][] = [
    ['pc-1', 'police-car', 84.8701, 45.6001],
    ['pc-2', 'police-car', 84.8702, 45.6002],
    ['pc-3', 'police-car', 84.8703, 45.6003],
    ['pc-far', 'police-car', 85.1, 45.3],
    ['taxi-1', 'taxi', 84.8701, 45.6001],
    ['taxi-2', 'taxi', 84.8704, 45.6002],
    ['bus-1', 'bus', 84.8702, 45.6002],
  ];

  it('groups units of one kind that share a cell, with their count, centre and extent; a lone unit keeps its icon', () => {
    const table = tableOf(units);
    const { clusters, clustered } = clusterUnits(table, [], 11, 1);
    const byKind = Object.fromEntries(clusters.map((cluster) => [cluster.kind, cluster.slots.map((slot) => table.ids[slot]).sort()]));
    expect(byKind).toEqual({ 0: ['pc-1', 'pc-2', 'pc-3'], 4: ['taxi-1', 'taxi-2'] });
    // The discs stand in a ring around the middle of the cell's grouped units: police cars due
    // north of it, taxis (fifth of six places) below and to the left.
    const [middleLon, middleLat] = [(84.8701 + 84.8702 + 84.8703 + 84.8701 + 84.8704) / 5, (45.6001 + 45.6002 + 45.6003 + 45.6001 + 45.6002) / 5];
    const police = clusters.find((cluster) => cluster.kind === 0)!;
    const taxis = clusters.find((cluster) => cluster.kind === 4)!;
    expect(police.lon).toBeCloseTo(middleLon, 5);
    expect(police.lat).toBeGreaterThan(middleLat);
    expect(taxis.lon).toBeLessThan(middleLon);
    expect(taxis.lat).toBeLessThan(middleLat);
    expect(police.bbox.map((degrees) => degrees.toFixed(4))).toEqual(['84.8701', '45.6001', '84.8703', '45.6003']);
    const drawnAlone = table.ids.filter((_, slot) => clustered[slot] === 0).sort();
    expect(drawnAlone).toEqual(['bus-1', 'pc-far']);
  });

  it('leaves hidden kinds and the followed unit out, and clusters nothing at street zoom', () => {
    const table = tableOf(units);
    const followed = table.slotOf('pc-1')!;
    const { clusters } = clusterUnits(table, ['taxi'], 11, 1, followed);
    expect(clusters.map((cluster) => cluster.slots.map((slot) => table.ids[slot]).sort())).toEqual([['pc-2', 'pc-3']]);
    const street = clusterUnits(table, [], 14, 1);
    expect(street.clusters).toEqual([]);
    expect([...street.clustered].every((flag) => flag === 0)).toBe(true);
  });
});
