import { describe, expect, it } from 'vitest';
import type { CityAt, CityChanges, LivePosition } from '../geo/index.ts';
import { FrameReader } from './frame-reader.ts';
import { ReplayPlayer, type ReplayReads, type ReplaySink } from './replay-player.ts';
import type { PostureSnapshot } from './posture-snapshot.ts';
import type { PositionFrame, ReplayClock } from './socket-contract.ts';

const unit = (id: string, lon: number, fixTime: number): LivePosition => ({ id, kind: 'taxi', label: id, lon, lat: 45, headingDeg: null, speedKmh: null, status: 'vacant', districtId: null, cellId: null, fixTime });
const empty: Omit<CityChanges, 'fixes'> = { incidents: [], reports: [], assignments: [], warnings: [], geofenceAlerts: [], traffic: [], cameraEvents: [], audit: [] };

/** A past with a fix every second for one taxi, read through the player's interface (the database side is geo/replay-reads.test.ts). */
function pastOf(start: number, seconds: number, readDelayMs = 0) {
  const fixes = Array.from({ length: seconds }, (_, i) => unit('taxi-1', 84 + i * 0.001, start + (i + 1) * 1000));
  const reads: [number, number][] = [];
  const delay = () => new Promise((resolve) => setTimeout(resolve, readDelayMs));
  const past: ReplayReads = {
    async cityAt(at): Promise<CityAt> {
      return { positions: fixes.filter((fix) => fix.fixTime! <= at).slice(-1), incidents: [], reports: [], assignments: [], warnings: [], geofenceAlerts: [], traffic: [], cameraEvents: [], audit: [] };
    },
    boardsAt: async () => null,
    async cityChanges(from, to): Promise<CityChanges> {
      reads.push([from, to]);
      await delay();
      return { fixes: fixes.filter((fix) => fix.fixTime! > from && fix.fixTime! <= to), ...empty };
    },
  };
  return { past, reads, fixes };
}

function screen() {
  const frames: PositionFrame[] = [];
  const clocks: ReplayClock[] = [];
  const failures: string[] = [];
  const reader = new FrameReader();
  const lons: number[] = [];
  const sink: ReplaySink = {
    writable: () => true,
    positions(frame) {
      frames.push(frame);
      const rows = reader.read(frame);
      if (rows === 'gap') throw new Error('gap');
      for (const row of rows) lons.push(Math.round((row.lon - 84) * 1000));
    },
    incidents: () => {},
    reports: () => {},
    assignments: () => {},
    warnings: () => {},
    geofenceAlerts: () => {},
    traffic: () => {},
    cameraEvents: () => {},
    boards: () => {},
    audit: () => {},
    clock: (clock) => clocks.push(clock),
    failed: (message) => failures.push(message),
  };
  return { sink, frames, clocks, failures, lons };
}

const until = async (check: () => boolean, timeoutMs = 5_000) => {
  for (const started = Date.now(); !check(); await new Promise((resolve) => setTimeout(resolve, 10))) if (Date.now() - started > timeoutMs) throw new Error('not within time');
};

describe('a replay player', () => {
  it('jumps to a moment with a reset clock and a keyframe, then plays every fix in order at its speed, never past now', async () => {
    const now = Date.now();
    const start = now - 40_000;
    const { past, reads } = pastOf(start, 39);
    const shown = screen();
    const player = new ReplayPlayer(past, new Set(['taxi']), shown.sink);
    await player.seek(start + 5_500, 60, true);
    expect(shown.clocks[0]).toMatchObject({ reset: true, at: start + 5_500, speed: 60 });
    expect(shown.frames[0]).toMatchObject({ keyframe: true, seq: 1, rows: 1 });
    await until(() => !player.clock.playing);
    player.stop();
    // Where it was at the moment (its fifth fix), then later ones in order, to the last: at ×60 a frame
    // (40 ms) spans 2.4 s of the past, and a frame carries each unit's latest state, as live.
    expect(shown.lons[0]).toBe(4);
    expect(shown.lons).toEqual([...new Set(shown.lons)].sort((a, b) => a - b));
    expect(shown.lons.length).toBeGreaterThan(5);
    expect(shown.lons.at(-1)).toBe(38);
    expect(player.clock, 'caught up with the present: paused there').toMatchObject({ playing: false, waiting: false });
    expect(shown.frames.map((frame) => frame.seq)).toEqual(shown.frames.map((_, i) => i + 1));
    expect(player.clock.at).toBeLessThanOrEqual(Date.now());
    expect(reads.every(([from, to], i) => i === 0 || reads[i - 1]![1] === from), 'each read goes on from the last').toBe(true);
    expect(reads[0]![0]).toBe(start + 5_500);
  });

  it('holds its clock where history is read to while a read is late, and says so', async () => {
    const start = Date.now() - 600_000;
    const { past } = pastOf(start, 300, 300);
    const shown = screen();
    const player = new ReplayPlayer(past, new Set(['taxi']), shown.sink);
    await player.seek(start, 120, true);
    await until(() => shown.clocks.some((clock) => clock.waiting));
    const waiting = shown.clocks.find((clock) => clock.waiting)!;
    expect(waiting.at - start, 'at most what the first read covered').toBeLessThanOrEqual(240_000);
    player.stop();
  });

  it('reads the least piece first, not knowing how many fixes the past holds, then as much as its speed needs', async () => {
    const start = Date.now() - 600_000;
    const { past, reads } = pastOf(start, 500);
    const player = new ReplayPlayer(past, new Set(['taxi']), screen().sink);
    await player.seek(start, 120, true);
    await until(() => reads.length >= 2);
    player.stop();
    // 10 s first; then, the past holding a fix a second, 2 s of playing at ×120.
    expect(reads.slice(0, 2).map(([from, to]) => to - from)).toEqual([10_000, 240_000]);
  });

  it("sends the boards of the moment a paused screen jumped to while the last moment's were still being read", async () => {
    const start = Date.now() - 600_000;
    const { past } = pastOf(start, 100);
    const asked: number[] = [];
    const shown: number[] = [];
    const boardsAt = async (at: number) => (asked.push(at), await new Promise((resolve) => setTimeout(resolve, 200)), { at } as unknown as PostureSnapshot);
    const player = new ReplayPlayer({ ...past, boardsAt }, new Set(['taxi']), { ...screen().sink, boards: (snapshot) => shown.push((snapshot as unknown as { at: number }).at) });
    await player.seek(start + 10_000, 1, false);
    await player.seek(start + 50_000, 1, false);
    await until(() => shown.includes(start + 50_000));
    expect(asked).toEqual([start + 10_000, start + 50_000]);
    expect(shown, "the first moment's boards dropped: another was asked for").toEqual([start + 50_000]);
  });

  it('steps a paused replay on, and stops with a message when history cannot be read', async () => {
    const start = Date.now() - 600_000;
    const { past } = pastOf(start, 100);
    const shown = screen();
    const player = new ReplayPlayer(past, new Set(['taxi']), shown.sink);
    await player.seek(start + 10_000, 1, false);
    await player.stepBy(60_000);
    expect(player.clock).toMatchObject({ at: start + 70_000, playing: false });
    expect(shown.lons.at(-1)).toBe(69);
    const failing = new ReplayPlayer({ ...past, cityChanges: () => Promise.reject(new Error('connection refused')) }, new Set(['taxi']), shown.sink);
    await failing.seek(start, 10, true);
    await until(() => shown.failures.length > 0);
    expect(shown.failures[0]).toMatch(/^the city's history could not be read \(connection refused\); pick the moment again to retry$/);
    expect(failing.clock.playing).toBe(false);
  });
});
