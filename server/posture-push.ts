import type { PostureQuery } from '../streams/index.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { can } from './permissions.ts';
import type { Posture } from './posture.ts';
import { replayingRoom, type attachRealtime } from './realtime.ts';

// How often the watched boards are read again and pushed, ms: windows slide and "now" moves.
export const posturePushEveryMs = 5_000;
const roomPrefix = 'posture:';

/**
 * Pushes the posture boards to the connections watching them. A connection says what it
 * watches (`watch-posture`); the server puts it in the room of that query (a client never names
 * a room), and reads each watched query once per round for all of its watchers. A replaying
 * connection gets its boards at the replayed moment from its replay (server/replay.ts) instead.
 */
export function attachPosturePush(realtime: ReturnType<typeof attachRealtime>, posture: Posture, metrics: Metrics, log: Logger, everyMs = posturePushEveryMs) {
  const { io } = realtime;
  const watched = new Map<string, PostureQuery>();
  const roomOf = (query: PostureQuery) => roomPrefix + JSON.stringify([query.range, query.districtId, query.cellId, query.minutes, query.boards]);
  const refuse = (reason: string) => metrics.count('onescreen_socket_rejected_total', { event: 'watch-posture', reason });

  io.on('connection', (socket) => {
    socket.on('watch-posture', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      if (!realtime.withinRate(socket, 'watch-posture')) return reply({ error: 'too many requests on this connection; wait 10 s and watch again' });
      const { user } = socket.data.signedIn.session;
      if (!can(user, 'posture:read')) {
        refuse('forbidden');
        return reply({ error: `the ${user.role} role may not see the posture boards; ask an administrator` });
      }
      try {
        const query = await posture.resolve(input);
        if ('error' in query) {
          refuse('bad-query');
          return reply(query);
        }
        const room = roomOf(query);
        for (const joined of socket.rooms) if (joined.startsWith(roomPrefix)) socket.leave(joined);
        socket.join(room);
        socket.data.posture = query;
        watched.set(room, query);
        reply({ query });
        const snapshot = await posture.read(query, realtime.replayingAt(socket));
        // A watcher that asked for another query meanwhile gets that one's boards, not these.
        if (socket.rooms.has(room)) socket.emit('posture', snapshot);
      } catch (error) {
        log.warn('reading the posture boards for a new watcher failed; they come with the next round', { error });
      }
    });
  });

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // One round at a time: a slow database makes rounds rarer, never piles them up.
  const round = async () => {
    for (const [room, query] of watched) {
      if (!io.of('/').adapter.rooms.get(room)?.size) {
        watched.delete(room);
        continue;
      }
      try {
        // Each node pushes to its own watchers (with Redis, a room's emit would reach every node's too, once per node).
        io.local.to(room).except(replayingRoom).emit('posture', await posture.read(query));
      } catch (error) {
        log.warn('reading the posture boards failed; trying again next round', { error });
      }
    }
    if (!stopped) timer = setTimeout(round, everyMs).unref();
  };
  timer = setTimeout(round, everyMs).unref();
  return {
    stop(): void {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
