import { describe, expect, it } from 'vitest';
import type { EntityKind, LivePosition } from '../geo/index.ts';
import { FrameReader } from './frame-reader.ts';
import { FrameCursor, LivePositionTable } from './position-frames.ts';

const at = (second: number) => new Date(Date.UTC(2026, 10, 21, 8, 0, second)).toISOString();
const fix = (id: string, kind: EntityKind, lon: number, second: number | null, status = 'patrol'): LivePosition => ({
  id, kind, label: `label ${id}`, lon, lat: 45.6, headingDeg: second === null ? null : 90, speedKmh: 36, status, districtId: null, cellId: null, fixTime: second === null ? null : Date.parse(at(second)),
});
const sentAt = Date.parse(at(30));

describe('position frames', () => {
  it('opens with a keyframe of the subscribed kinds only, numbering entities for this client', () => {
    const table = new LivePositionTable();
    table.apply([fix('pc-1', 'police-car', 84.1, 1), fix('bus-1', 'bus', 84.2, 2), fix('pc-2', 'police-car', 84.3, null)]);
    const cursor = new FrameCursor(table, new Set(['police-car']));
    const frame = cursor.nextFrame(sentAt)!;
    expect(frame).toMatchObject({ seq: 1, keyframe: true, rows: 2, newStatuses: ['patrol'] });
    expect(frame.newEntities).toEqual([{ id: 'pc-1', kind: 'police-car', label: 'label pc-1' }, { id: 'pc-2', kind: 'police-car', label: 'label pc-2' }]);
    const rows = new FrameReader().read(frame);
    expect(rows).toEqual([
      { id: 'pc-1', kind: 'police-car', label: 'label pc-1', lon: 84.1, lat: 45.6, headingDeg: 90, speedKmh: 36, status: 'patrol', fixTime: Date.parse(at(1)) },
      expect.objectContaining({ id: 'pc-2', headingDeg: null, fixTime: null }),
    ]);
    expect((rows as { lon: number }[])[1]!.lon).toBeCloseTo(84.3, 6);
    expect(cursor.nextFrame(sentAt), 'nothing changed').toBeUndefined();
  });

  it('conflates: a client that missed ticks gets each entity once, at its latest fix', () => {
    const table = new LivePositionTable();
    const cursor = new FrameCursor(table, new Set(['police-car', 'bus']));
    const reader = new FrameReader();
    reader.read(cursor.nextFrame(sentAt)!); // the empty keyframe
    for (let second = 1; second <= 5; second++) cursor.markChanged(table.apply([fix('pc-1', 'police-car', 84 + second / 100, second)]));
    cursor.markChanged(table.apply([fix('bus-1', 'bus', 84.5, 5, 'in-service'), fix('taxi-1', 'taxi', 84.6, 5)]));
    // A late fix leaves the slot and the frame alone.
    cursor.markChanged(table.apply([fix('pc-1', 'police-car', 80, 3)]));
    const frame = cursor.nextFrame(sentAt)!;
    expect(frame).toMatchObject({ seq: 2, keyframe: false, rows: 2, newStatuses: ['patrol', 'in-service'] });
    const rows = reader.read(frame);
    expect(rows).toMatchObject([{ id: 'pc-1', fixTime: Date.parse(at(5)) }, { id: 'bus-1', status: 'in-service' }]);
    expect((rows as { lon: number }[])[0]!.lon).toBeCloseTo(84.05, 6);
  });

  it('takes a status the join changed for a fix the screens were already moved to, and nothing else twice', () => {
    const table = new LivePositionTable();
    table.apply([fix('pc-1', 'police-car', 84.1, 1)]);
    const moved = { entityId: 'pc-1', lon: 84.2, lat: 45.6, headingDeg: 90, speedKmh: 36, eventTime: Date.parse(at(2)) };
    expect(table.moveTo([moved])).toEqual([0]);
    expect(table.apply([fix('pc-1', 'police-car', 84.2, 2)]), 'the same fix, the same status').toEqual([]);
    expect(table.apply([fix('pc-1', 'police-car', 84.2, 2, 'on-scene')]), 'the same fix, a new status').toEqual([0]);
    expect(table.statuses[table.status[0]!]).toBe('on-scene');
  });

  it('reads a keyframe of more entities than a call can spread (a city-scale fleet)', () => {
    const table = new LivePositionTable();
    const count = 200_000;
    table.apply(Array.from({ length: count }, (_, i) => fix(`taxi-${i}`, 'taxi', 84 + i / 1e6, 1)));
    const rows = new FrameReader().read(new FrameCursor(table, new Set(['taxi'])).nextFrame(sentAt)!);
    expect(rows).toHaveLength(count);
    expect((rows as { id: string }[])[count - 1]).toMatchObject({ id: `taxi-${count - 1}`, kind: 'taxi', fixTime: Date.parse(at(1)) });
  });

  it('tells a reader about a gap, and a restart sends everything again as a keyframe', () => {
    const table = new LivePositionTable();
    const cursor = new FrameCursor(table, new Set(['taxi']));
    const reader = new FrameReader();
    reader.read(cursor.nextFrame(sentAt)!);
    cursor.markChanged(table.apply([fix('taxi-1', 'taxi', 84.1, 1)]));
    cursor.nextFrame(sentAt); // lost
    cursor.markChanged(table.apply([fix('taxi-1', 'taxi', 84.2, 2)]));
    expect(reader.read(cursor.nextFrame(sentAt)!)).toBe('gap');
    cursor.restart();
    const keyframe = cursor.nextFrame(sentAt)!;
    expect(keyframe).toMatchObject({ keyframe: true, seq: 4, rows: 1, newStatuses: ['patrol'] });
    // As a Node socket.io client receives it: Buffers at odd offsets of a shared pool.
    const asBuffers = Object.fromEntries(
      Object.entries(keyframe).map(([key, value]) => [key, value instanceof ArrayBuffer ? Buffer.concat([Buffer.alloc(3), Buffer.from(value)]).subarray(3) : value]),
    ) as unknown as typeof keyframe;
    expect(reader.read(asBuffers)).toMatchObject([{ id: 'taxi-1', fixTime: Date.parse(at(2)) }]);
  });

  it('gives the same ids and fix times without row objects, and the same gaps', () => {
    const table = new LivePositionTable();
    const cursor = new FrameCursor(table, new Set(['police-car', 'taxi']));
    const [byRows, byFixTimes] = [new FrameReader(), new FrameReader()];
    table.apply([fix('pc-1', 'police-car', 84.1, 1), fix('taxi-1', 'taxi', 84.2, null)]);
    const frames = [cursor.nextFrame(sentAt)!];
    cursor.markChanged(table.apply([fix('taxi-1', 'taxi', 84.3, 4), fix('pc-2', 'police-car', 84.4, 5)]));
    frames.push(cursor.nextFrame(sentAt)!);
    cursor.markChanged(table.apply([fix('pc-1', 'police-car', 84.5, 6)]));
    cursor.nextFrame(sentAt); // lost
    cursor.markChanged(table.apply([fix('pc-2', 'police-car', 84.6, 7)]));
    frames.push(cursor.nextFrame(sentAt)!);
    const seen = frames.map((frame) => {
      const visited: [string, number][] = [];
      return byFixTimes.readFixTimes(frame, (id, fixTime) => visited.push([id, fixTime])) ?? visited;
    });
    const expected = frames.map((frame) => {
      const rows = byRows.read(frame);
      return rows === 'gap' ? rows : rows.flatMap((row) => (row.fixTime === null ? [] : [[row.id, row.fixTime] as [string, number]]));
    });
    expect(seen).toEqual(expected);
    expect(seen).toEqual([[['pc-1', Date.parse(at(1))]], [['taxi-1', Date.parse(at(4))], ['pc-2', Date.parse(at(5))]], 'gap']);
  });

  it('packs a moving entity in about 25 bytes', () => {
    const table = new LivePositionTable();
    const cursor = new FrameCursor(table, new Set(['taxi']));
    cursor.markChanged(table.apply(Array.from({ length: 1_000 }, (_, i) => fix(`taxi-${i}`, 'taxi', 84 + i / 1e4, 1))));
    cursor.nextFrame(sentAt);
    cursor.markChanged(table.apply(Array.from({ length: 1_000 }, (_, i) => fix(`taxi-${i}`, 'taxi', 84.5 + i / 1e4, 2))));
    const frame = cursor.nextFrame(sentAt)!;
    const bytes = [frame.slots, frame.lonLat, frame.heading, frame.speed, frame.status, frame.fixAgeMs].reduce((sum, column) => sum + column.byteLength, 0);
    expect(bytes / frame.rows).toBe(25);
    expect(frame.newEntities).toEqual([]);
  });
});
