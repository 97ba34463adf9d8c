// Screens under load: signed-in Socket.IO clients reading position frames and segment traffic as
// the wall does, each noting how long after it was sent every acknowledged fix (or a newer one of
// its unit) or detector record showed up.
import { io, type Socket } from 'socket.io-client';
import { entityKinds, FrameReader, type ClientToServerEvents, type ServerToClientEvents } from '../streams/index.ts';
import { readingPeriodMs, type AckLog } from './load-senders.ts';

// Frame times are whole ms and a fix's age travels as float32: a row this close counts as that fix.
const fixTimeSlackMs = 2;

/**
 * `count` screens, each subscribed to every kind and to traffic within `subscribeTimeoutMs` (longer
 * on a slow link). A detector record is seen once its segment's traffic reaches its period's end:
 * `camerasBySegment` says which cameras' records each segment shows. Each sighting's latency goes
 * to `onSighting` when given (long runs count them), else into `latenciesMs`.
 */
export async function connectClients(
  url: string,
  count: number,
  log: AckLog,
  subscribeTimeoutMs = 10_000,
  camerasBySegment = new Map<string, string[]>(),
  onSighting?: (latencyMs: number) => void,
) {
  const response = await fetch(new URL('/api/session', url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: 'operator', password: 'onescreen-demo' }) });
  if (!response.ok) throw new Error(`signing in failed: ${response.status} ${await response.text()}`);
  const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
  const { csrf } = (await response.json()) as { csrf: string };
  const latenciesMs: number[] = [];
  const note = onSighting ?? ((latencyMs: number) => latenciesMs.push(latencyMs));
  const sockets: Socket<ServerToClientEvents, ClientToServerEvents>[] = [];
  let gaps = 0;
  let frames = 0;
  for (let i = 0; i < count; i++) {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, { transports: ['websocket'], extraHeaders: { cookie }, auth: { csrf } });
    const reader = new FrameReader();
    // Per entity, how many of its acknowledged fixes this client has seen.
    const seenUpTo = new Map<string, number>();
    const sighted = (id: string, upTo: number, now: number) => {
      const fixes = log.byEntity.get(id);
      if (!fixes) return;
      let seen = seenUpTo.get(id) ?? 0;
      while (seen < fixes.length && fixes[seen]![0] <= upTo + fixTimeSlackMs) note(now - fixes[seen++]![1]);
      seenUpTo.set(id, seen);
    };
    socket.on('positions', (frame) => {
      frames += 1;
      const now = Date.now();
      if (reader.readFixTimes(frame, (id, fixTime) => sighted(id, fixTime, now)) === 'gap') gaps += 1;
    });
    socket.on('traffic', (segments) => {
      const now = Date.now();
      for (const segment of segments) {
        for (const cameraId of camerasBySegment.get(segment.segmentId) ?? []) sighted(cameraId, Date.parse(segment.updatedAt) - readingPeriodMs, now);
      }
    });
    const subscribed = await socket.timeout(subscribeTimeoutMs).emitWithAck('subscribe', [...entityKinds, 'traffic']);
    if ('error' in subscribed) throw new Error(subscribed.error);
    sockets.push(socket);
  }
  return {
    latenciesMs,
    gaps: () => gaps,
    frames: () => frames,
    close: () => sockets.forEach((socket) => socket.close()),
  };
}
