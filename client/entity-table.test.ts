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
});
