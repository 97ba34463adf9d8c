// Position push per tick at city scale: the product's binary columnar frame (table update, the
// client's frame, Socket.IO encoding) against the JSON objects the first wall sent (the API's
// object per moved entity through Socket.IO's JSON encoding), same moving fleet, same process.
import { Encoder, PacketType } from 'socket.io-parser';
import { entityKinds, type LivePosition } from '../geo/index.ts';
import { FrameCursor, FrameGroups, LivePositionTable } from '../streams/index.ts';
import type { BenchOutput } from './report.ts';

const entityCount = 10_000;
const ticks = 30;

/** A fleet as the position pipeline hands it on: a mix of kinds, plates as labels, every field set. */
function fleetAt(tick: number): LivePosition[] {
  const at = Date.parse('2026-11-21T08:00:00Z') + tick * 1_000;
  return Array.from({ length: entityCount }, (_, i) => ({
    id: `unit-${String(i).padStart(5, '0')}`,
    kind: entityKinds[i % 5]!,
    label: `新J${String(i).padStart(5, '0')}`,
    lon: 84.8 + (i % 100) / 500 + tick * 1e-5,
    lat: 45.5 + Math.floor(i / 100) / 500 + tick * 1e-5,
    headingDeg: (i * 37 + tick) % 360,
    speedKmh: 20 + ((i + tick) % 40),
    status: i % 3 === 0 ? 'patrol' : 'in-service',
    districtId: `d-0${1 + (i % 6)}`,
    cellId: `cell-${String(i % 40).padStart(3, '0')}-${String(Math.floor(i / 250)).padStart(3, '0')}`,
    fixTime: at,
  }));
}

const utf8Bytes = (part: string | Uint8Array | ArrayBuffer) => (typeof part === 'string' ? Buffer.byteLength(part) : part.byteLength);

/**
 * Runs `tick` over prepared fleets: mean bytes, and the median main-thread ms per tick (the work is
 * synchronous, so its time on the thread is its CPU; the median keeps a stray GC pause out).
 */
function measure(fleets: LivePosition[][], tick: (fleet: LivePosition[], seq: number) => (string | Uint8Array | ArrayBuffer)[]) {
  tick(fleets[0]!, 0); // warm-up: JIT, first allocations
  let bytes = 0;
  const times: number[] = [];
  for (let seq = 1; seq <= ticks; seq++) {
    const started = performance.now();
    const parts = tick(fleets[seq]!, seq);
    times.push(performance.now() - started);
    bytes += parts.reduce((sum, part) => sum + utf8Bytes(part), 0);
  }
  return { bytes: bytes / ticks, cpuMs: times.sort((a, b) => a - b)[Math.floor(ticks / 2)]! };
}

export async function benchPositionFrames(): Promise<BenchOutput> {
  const fleets = Array.from({ length: ticks + 1 }, (_, tick) => fleetAt(tick));
  const encoder = new Encoder();
  const encode = (data: unknown) => encoder.encode({ type: PacketType.EVENT, nsp: '/', data: ['positions', data] }) as (string | Uint8Array | ArrayBuffer)[];

  // The table update is shared; each client then gets its own frame. Measured for one client, and
  // for four so the cost of each further screen shows.
  const binaryFor = (clients: number) => {
    const table = new LivePositionTable();
    const cursors = Array.from({ length: clients }, () => new FrameCursor(table, new Set(entityKinds)));
    table.apply(fleetAt(-1));
    for (const cursor of cursors) cursor.nextFrame(); // the keyframe a client gets on subscribing; the bench measures the ticks after it
    return measure(fleets, (fleet) => {
      const changed = table.apply(fleet);
      return cursors.flatMap((cursor) => (cursor.markChanged(changed), encode(cursor.nextFrame()!)));
    });
  };
  const binary = binaryFor(1);
  const fourClients = binaryFor(4);
  // Twenty screens on the same layers: one frame cut and encoded for all (FrameGroups; Socket.IO
  // encodes a broadcast once), against a frame cut and encoded per screen (as before).
  const screens = 20;
  const grouped = (() => {
    const table = new LivePositionTable();
    table.apply(fleetAt(-1));
    let parts: (string | Uint8Array | ArrayBuffer)[] = [];
    const groups = new FrameGroups<number>(table, { writable: () => true, send: (_to, frame) => void (parts = encode(frame)), deferred: () => {} });
    for (let screen = 0; screen < screens; screen++) groups.follow(screen, new Set(entityKinds));
    return measure(fleets, (fleet) => {
      groups.changed(table.apply(fleet));
      return parts;
    });
  })();
  const perScreen = binaryFor(screens);
  // The baseline sends the pipeline's objects as they are (epoch-ms times): the cheapest JSON form.
  const json = measure(fleets, (entities, seq) => encode({ seq, entities }));
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KiB`;
  return [
    {
      figure: `position push per tick, ${entityCount.toLocaleString('en')} moving entities, one client`,
      measured: `binary frame ${kb(binary.bytes)}, ${binary.cpuMs.toFixed(1)} ms CPU; +${((fourClients.cpuMs - binary.cpuMs) / 3).toFixed(1)} ms a further client`,
      baseline: `JSON objects ${kb(json.bytes)}, ${json.cpuMs.toFixed(1)} ms CPU`,
      ratio: `${(json.bytes / binary.bytes).toFixed(1)}× bytes, ${(json.cpuMs / binary.cpuMs).toFixed(1)}× CPU`,
      target: '—',
    },
    {
      figure: `position frames per tick for ${screens} screens on the same layers, ${entityCount.toLocaleString('en')} moving entities`,
      measured: `${grouped.cpuMs.toFixed(1)} ms CPU: one frame, cut and encoded once for all`,
      baseline: `a frame per screen: ${perScreen.cpuMs.toFixed(1)} ms CPU`,
      ratio: `${(perScreen.cpuMs / grouped.cpuMs).toFixed(1)}×`,
      target: 'once per tick per set of layers',
    },
    `position push, ${entityCount.toLocaleString('en')} moving entities per tick: binary frame ${kb(binary.bytes)}, ${binary.cpuMs.toFixed(1)} ms CPU; ` +
      `JSON objects (baseline) ${kb(json.bytes)}, ${json.cpuMs.toFixed(1)} ms CPU; ratio ${(json.bytes / binary.bytes).toFixed(1)}× bytes, ${(json.cpuMs / binary.cpuMs).toFixed(1)}× CPU`,
    `position push, each further client with a frame of its own (a slow screen's): +${((fourClients.cpuMs - binary.cpuMs) / 3).toFixed(1)} ms CPU per tick`,
    `position frames, ${screens} screens on the same layers: ${grouped.cpuMs.toFixed(1)} ms CPU per tick cut once, ${perScreen.cpuMs.toFixed(1)} ms cut per screen`,
  ];
}
