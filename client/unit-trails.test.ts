import { describe, expect, it } from 'vitest';
import { FrameCursor, LivePositionTable, type LivePosition } from '../streams/index.ts';
import { EntityTable } from './entity-table.ts';
import { UnitTrails } from './unit-trails.ts';

const t0 = Date.parse('2026-12-05T08:00:00Z');
const car = (id: string, lon: number, fixTime: number): LivePosition => ({ id, kind: 'police-car', label: id, lon, lat: 45.6, headingDeg: 90, speedKmh: 30, status: 'patrol', districtId: null, cellId: null, fixTime });

function screen() {
  const held = new LivePositionTable();
  const cursor = new FrameCursor(held, new Set(['police-car']));
  // Without glides each fix is shown where it lands, so a trail's tip is the newest fix.
  const table = new EntityTable(false);
  const trails = new UnitTrails();
  let now = 0;
  return {
    table,
    show(fixes: LivePosition[]) {
      cursor.markChanged(held.apply(fixes));
      table.applyFrame(cursor.nextFrame(t0)!);
      trails.update(table);
    },
    /** Each trail's unit and its longitudes, oldest first (rounded to the fixes' 0.01° steps). */
    trails(hidden: string[] = [], clustered?: Uint8Array) {
      now += 1_000;
      const { data } = trails.layer(table, hidden, 1, now, clustered).props as unknown as { data: { slot: number; path: [number, number][] }[] };
      return data.map((trail) => [table.ids[trail.slot], trail.path.map(([lon]) => Math.round((lon - 84) * 100))]);
    },
  };
}

describe('unit trails', () => {
  it("keep each unit's last 8 fixes within 5 minutes of the newest, oldest first, and start over when the table is cleared", () => {
    const shown = screen();
    for (let i = 0; i < 10; i++) shown.show([car('pc-1', 84 + i * 0.01, t0 + i * 5_000)]);
    shown.show([car('pc-2', 84.5, t0)]);
    expect(shown.trails(), 'one fix is no trail').toEqual([['pc-1', [2, 3, 4, 5, 6, 7, 8, 9]]]);
    expect(shown.trails(['police-car']), 'a hidden kind has none').toEqual([]);
    expect(shown.trails([], Uint8Array.from([1, 0])), 'nor a unit drawn inside a cluster').toEqual([]);
    shown.show([car('pc-2', 84.51, t0 + 10 * 60_000)]);
    shown.show([car('pc-2', 84.52, t0 + 10 * 60_000 + 5_000)]);
    expect(shown.trails(), 'quiet for 10 min: no trail left behind; the other only from its fixes since').toEqual([['pc-2', [51, 52]]]);
    shown.table.clear();
    shown.show([car('pc-3', 84.9, t0 + 11 * 60_000)]);
    expect(shown.trails(), 'a replay jumped: trails start over').toEqual([]);
  });
});
