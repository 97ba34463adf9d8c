import { describe, expect, it } from 'vitest';
import type { EntityKind, LivePosition } from '../geo/index.ts';
import { FrameGroups } from './frame-groups.ts';
import { FrameReader } from './frame-reader.ts';
import { LivePositionTable } from './position-frames.ts';
import type { PositionFrame } from './socket-contract.ts';

const fix = (id: string, kind: EntityKind, lon: number, second: number, status = 'patrol'): LivePosition => ({
  id, kind, label: `label ${id}`, lon, lat: 45.6, headingDeg: 90, speedKmh: 36, status, districtId: null, cellId: null, fixTime: Date.UTC(2026, 10, 21, 8, 0, second),
});
const police = new Set<EntityKind>(['police-car']);

/** Clients that read what they are sent, each with its own reader; `busy` ones cannot take a frame. */
function clients(table: LivePositionTable) {
  const sends: { to: string[]; frame: PositionFrame }[] = [];
  const readers = new Map<string, FrameReader>();
  const shown = new Map<string, Map<string, number>>();
  const busy = new Set<string>();
  let deferred = 0;
  const groups = new FrameGroups<string>(table, {
    writable: (client) => !busy.has(client),
    send(to, frame) {
      sends.push({ to: [...to], frame });
      for (const client of to) {
        if (!readers.has(client)) readers.set(client, new FrameReader());
        const rows = readers.get(client)!.read(frame);
        if (rows === 'gap') throw new Error(`${client} missed a frame before ${frame.seq}`);
        if (frame.keyframe) shown.set(client, new Map());
        for (const row of rows) shown.get(client)!.set(row.id, row.lon);
      }
    },
    deferred: () => void (deferred += 1),
  });
  return { groups, sends, shown, busy, deferred: () => deferred };
}

describe('frame groups', () => {
  it('cut one frame per change for all the clients of a set of layers; one who joins later takes a snapshot and follows the same frames', () => {
    const table = new LivePositionTable();
    table.apply([fix('pc-1', 'police-car', 84.1, 1), fix('bus-1', 'bus', 84.2, 1)]);
    const { groups, sends, shown } = clients(table);
    groups.follow('a', police);
    groups.follow('b', police);
    groups.changed(table.apply([fix('pc-1', 'police-car', 84.11, 2), fix('pc-2', 'police-car', 84.3, 2)]));
    groups.follow('c', police);
    groups.changed(table.apply([fix('pc-2', 'police-car', 84.31, 3), fix('bus-1', 'bus', 84.21, 3)]));
    const changes = sends.filter((send) => !send.frame.keyframe);
    expect(changes.map((send) => send.to)).toEqual([['a', 'b'], ['a', 'b', 'c']]);
    expect(changes.map((send) => send.frame.seq)).toEqual([2, 3]);
    // The snapshot c joined with carries the group's numbering and seq: the next frame follows it.
    expect(sends.find((send) => send.to[0] === 'c')!.frame).toMatchObject({ keyframe: true, seq: 2, rows: 2 });
    const expected = new Map([['pc-1', 84.11], ['pc-2', 84.31]]);
    for (const client of ['a', 'b', 'c']) {
      expect([...shown.get(client)!.keys()].sort(), client).toEqual(['pc-1', 'pc-2']);
      for (const [id, lon] of expected) expect(shown.get(client)!.get(id), `${client} ${id}`).toBeCloseTo(lon, 6);
    }
  });

  it('let a client that cannot take a frame go on alone, conflated, and bring it back on a resync', () => {
    const table = new LivePositionTable();
    table.apply([fix('pc-1', 'police-car', 84.1, 1)]);
    const { groups, sends, shown, busy, deferred } = clients(table);
    groups.follow('a', police);
    groups.follow('slow', police);
    busy.add('slow');
    for (let second = 2; second <= 4; second++) groups.changed(table.apply([fix('pc-1', 'police-car', 84.1 + second / 100, second)]));
    expect(sends.filter((send) => send.to.includes('slow')).length, 'only its first snapshot').toBe(1);
    expect(deferred()).toBeGreaterThan(0);
    busy.delete('slow');
    groups.drained('slow');
    // Its frame follows the group's last it took (no keyframe: nothing it knows is sent again), changes conflated.
    const alone = sends.at(-1)!;
    expect(alone).toMatchObject({ to: ['slow'], frame: { keyframe: false, seq: 2, rows: 1 } });
    expect(shown.get('slow')!.get('pc-1')).toBeCloseTo(84.14, 6);
    // Going alone, it still gets every change, in frames of its own.
    groups.changed(table.apply([fix('pc-1', 'police-car', 84.15, 5)]));
    expect(sends.slice(-2).map((send) => send.to)).toEqual([['a'], ['slow']]);
    groups.resync('slow');
    groups.changed(table.apply([fix('pc-1', 'police-car', 84.16, 6)]));
    expect(sends.at(-1)!.to).toEqual(['a', 'slow']);
    expect(shown.get('slow')!.get('pc-1')).toBeCloseTo(84.16, 6);
  });

  it('keep sets of layers apart, and drop a set when its last client leaves', () => {
    const table = new LivePositionTable();
    table.apply([fix('pc-1', 'police-car', 84.1, 1), fix('bus-1', 'bus', 84.2, 1)]);
    const { groups, sends } = clients(table);
    groups.follow('police', police);
    groups.follow('both', new Set<EntityKind>(['bus', 'police-car']));
    groups.changed(table.apply([fix('bus-1', 'bus', 84.21, 2)]));
    expect(sends.at(-1)!.to).toEqual(['both']);
    groups.leave('both');
    const before = sends.length;
    groups.changed(table.apply([fix('bus-1', 'bus', 84.22, 3)]));
    expect(sends.length, 'no client wants buses').toBe(before);
    groups.follow('both', new Set<EntityKind>(['police-car', 'bus']));
    expect(sends.at(-1)!.frame, 'a new group: its own numbering from a keyframe').toMatchObject({ keyframe: true, seq: 1, rows: 2 });
  });
});
