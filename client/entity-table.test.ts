import { describe, expect, it } from 'vitest';
import { FrameCursor, LivePositionTable, type EntityKind, type LivePosition } from '../streams/index.ts';
import { EntityTable } from './entity-table.ts';

const entity = (id: string, lon: number, fixedAt: string, kind: EntityKind = 'police-car'): LivePosition => ({
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
  fixTime: Date.parse(fixedAt),
});

/** The server's side of one connection: what it holds, and the frames it cuts for this client. */
function server(kinds: EntityKind[] = ['police-car', 'bus', 'taxi']) {
  const held = new LivePositionTable();
  const cursor = new FrameCursor(held, new Set(kinds));
  return {
    cursor,
    frame(entities: LivePosition[]) {
      cursor.markChanged(held.apply(entities));
      return cursor.nextFrame(Date.parse('2026-11-21T08:01:00Z'))!;
    },
  };
}

describe('EntityTable', () => {
  it('keeps one slot per entity and moves it with newer fixes only', () => {
    const table = new EntityTable();
    const { frame } = server();
    expect(table.applyFrame(frame([entity('pc-1', 84.1, '2026-11-21T08:00:05Z'), entity('bus-1', 84.2, '2026-11-21T08:00:05Z', 'bus')]))).toBe(true);
    expect(table.applyFrame(frame([entity('pc-1', 84.3, '2026-11-21T08:00:10Z')]))).toBe(true);
    expect(table.size).toBe(2);
    expect(table.positions[2 * table.slotOf('pc-1')!]).toBeCloseTo(84.3, 6);
    expect(table.updatedAt[table.slotOf('pc-1')!]).toBe(Date.parse('2026-11-21T08:00:10Z'));
    expect(table.headings[table.slotOf('pc-1')!]).toBe(90);
    expect(table.statusNames[table.statuses[table.slotOf('pc-1')!]!]).toBe('patrol');
    expect(table.countByKind()).toMatchObject({ 'police-car': 1, bus: 1, taxi: 0 });
  });

  it('refuses a frame after a gap, and starts over from a keyframe without losing its slots', () => {
    const table = new EntityTable();
    const { frame, cursor } = server();
    table.applyFrame(frame([entity('pc-1', 84.1, '2026-11-21T08:00:05Z')]));
    frame([entity('pc-1', 84.2, '2026-11-21T08:00:10Z')]); // lost on the way
    expect(table.applyFrame(frame([entity('pc-2', 84.3, '2026-11-21T08:00:10Z')]))).toBe(false);
    expect(table.size).toBe(1);
    cursor.restart();
    const keyframe = frame([]);
    expect(keyframe).toMatchObject({ keyframe: true, rows: 2 });
    expect(table.applyFrame(keyframe)).toBe(true);
    expect(table.ids).toEqual(['pc-1', 'pc-2']);
    expect(table.positions[0]).toBeCloseTo(84.2, 6);
  });

  it('grows past its first capacity without losing what it holds', () => {
    const table = new EntityTable();
    const many = Array.from({ length: 1_000 }, (_, i) => entity(`taxi-${i}`, 84 + i / 10_000, '2026-11-21T08:00:00Z', 'taxi'));
    table.applyFrame(server().frame(many));
    expect(table.size).toBe(1_000);
    expect(table.positions[2 * table.slotOf('taxi-0')!]).toBeCloseTo(84, 6);
    expect(table.positions[2 * table.slotOf('taxi-999')!]).toBeCloseTo(84.0999, 6);
    expect(table.countByKind().taxi).toBe(1_000);
  });

  it('glides from where an entity is shown to its new fix over the gap between its reports', () => {
    const table = new EntityTable();
    const { frame } = server();
    table.applyFrame(frame([entity('bus-1', 84.0, '2026-11-21T08:00:00Z', 'bus')]), 0);
    table.applyFrame(frame([entity('bus-1', 84.1, '2026-11-21T08:00:15Z', 'bus')]), 15_000);
    const slot = table.slotOf('bus-1')!;
    // The second report came 15 s after the first: the glide takes 15 s.
    expect(table.shown[2 * slot]).toBeCloseTo(84.0, 6);
    expect(table.advance(22_500)).toBe(true);
    expect(table.shown[2 * slot]).toBeCloseTo(84.05, 6);
    table.advance(40_000);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 6);
    expect(table.advance(41_000)).toBe(false);
    // A new fix mid-glide starts from where the bus is shown, not where it was reported.
    table.applyFrame(frame([entity('bus-1', 84.2, '2026-11-21T08:00:30Z', 'bus')]), 42_000);
    table.advance(42_000);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 6);
  });

  it('shows each fix where it lands when motion is reduced', () => {
    const table = new EntityTable(false);
    const { frame } = server();
    table.applyFrame(frame([entity('bus-1', 84.0, '2026-11-21T08:00:00Z', 'bus')]), 0);
    const slot = table.slotOf('bus-1')!;
    const version = table.version;
    table.applyFrame(frame([entity('bus-1', 84.1, '2026-11-21T08:00:15Z', 'bus')]), 15_000);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 6);
    // Nothing glides, yet the table says it changed, so the map draws it.
    expect(table.version).toBeGreaterThan(version);
    expect(table.advance(16_000)).toBe(false);
    expect(table.shown[2 * slot]).toBeCloseTo(84.1, 6);
  });
});
