import { describe, expect, it } from 'vitest';
import type { LiveEntity } from '../streams/index.ts';
import { EntityTable } from './entity-table.ts';

const entity = (id: string, lon: number, updatedAt: string, kind: LiveEntity['kind'] = 'police-car'): LiveEntity => ({
  id,
  kind,
  label: id,
  lon,
  lat: 45.6,
  headingDeg: 90,
  speedKmh: 30,
  status: 'patrol',
  districtId: 'd-01',
  cellId: 'cell-000-000',
  updatedAt,
});

describe('EntityTable', () => {
  it('keeps one slot per entity and moves it with newer fixes only', () => {
    const table = new EntityTable();
    table.upsert([entity('pc-1', 84.1, '2026-11-21T08:00:05Z'), entity('bus-1', 84.2, '2026-11-21T08:00:05Z', 'bus')]);
    table.upsert([entity('pc-1', 84.3, '2026-11-21T08:00:10Z')]);
    // A snapshot read before the last push arrives after it: it must not move the car back.
    table.upsert([entity('pc-1', 84.1, '2026-11-21T08:00:05Z')]);
    expect(table.size).toBe(2);
    expect(table.positions[2 * table.slotOf('pc-1')!]).toBe(84.3);
    expect(table.countByKind()).toMatchObject({ 'police-car': 1, bus: 1, taxi: 0 });
  });

  it('grows past its first capacity without losing what it holds', () => {
    const table = new EntityTable();
    const many = Array.from({ length: 1_000 }, (_, i) => entity(`taxi-${i}`, 84 + i / 10_000, '2026-11-21T08:00:00Z', 'taxi'));
    table.upsert(many);
    expect(table.size).toBe(1_000);
    expect(table.positions[2 * table.slotOf('taxi-0')!]).toBe(84);
    expect(table.positions[2 * table.slotOf('taxi-999')!]).toBeCloseTo(84.0999, 10);
    expect(table.countByKind().taxi).toBe(1_000);
  });

  it('glides from where an entity is shown to its new fix over the gap between its reports', () => {
    const table = new EntityTable();
    table.upsert([entity('bus-1', 84.0, '2026-11-21T08:00:00Z', 'bus')], 0);
    table.upsert([entity('bus-1', 84.1, '2026-11-21T08:00:15Z', 'bus')], 15_000);
    const slot = table.slotOf('bus-1')!;
    // The second report came 15 s after the first: the glide takes 15 s.
    expect(table.shown[2 * slot]).toBe(84.0);
    expect(table.advance(22_500)).toBe(true);
    expect(table.shown[2 * slot]).toBeCloseTo(84.05, 10);
    table.advance(40_000);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 10);
    expect(table.advance(41_000)).toBe(false);
    // A new fix mid-glide starts from where the bus is shown, not where it was reported.
    table.upsert([entity('bus-1', 84.2, '2026-11-21T08:00:30Z', 'bus')], 42_000);
    table.advance(42_000);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 10);
  });
});
