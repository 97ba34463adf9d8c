import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { createClient } from 'redis';
import { Server, type Socket } from 'socket.io';
import { z } from 'zod';
import { entityKinds } from '../geo/index.ts';
import {
  FrameGroups,
  LivePositionTable,
  liveLayers,
  type CameraTick,
  type CaseTick,
  type ClientToServerEvents,
  type CoreStatus,
  type FeedStatus,
  type GeofenceAlert,
  type Incident,
  type LiveAssignment,
  type LivePosition,
  type LiveLayer,
  type PositionEvent,
  type PostureQuery,
  type ServerToClientEvents,
  type ServiceRequest,
  type Warning,
} from '../streams/index.ts';
import type { Auth, SignedIn } from './auth.ts';
import type { Metrics } from './metrics.ts';
import { auditsPoliceReads, can, layerPermission, policeKinds } from './permissions.ts';
import { RateLimiter } from './rate-limit.ts';

const roomPrefix = 'layer:';
// Connections replaying the past: live pushes (warnings to everyone) pass them by.
export const replayingRoom = 'replaying';
const subscription = z.array(z.enum(liveLayers)).max(liveLayers.length);
// How often connected sessions are checked (expired, signed out elsewhere, user changed), ms.
const sessionCheckMs = 30_000;
// Requests per connection per 10 s (subscribe, resync): a screen makes a handful an hour.
const eventsPerConnection = 30;
// Client → server messages are a few hundred bytes; anything much bigger is refused unread.
const maxClientMessageBytes = 16 * 1024;

interface SocketData {
  signedIn: SignedIn;
  /** The posture boards this connection watches (server/posture-push.ts). */
  posture?: PostureQuery;
}
/** Between the nodes of one city (REDIS_URL): what each node applied, for the others' screens. */
interface NodeToNodeEvents {
  'positions-applied': (entities: LivePosition[]) => void;
  'fixes-unjoined': (fixes: PositionEvent[]) => void;
  'sessions-ended': (ended: EndedSessions) => void;
  /** A tick's registered cases: a sender waiting on another node is answered with its case. */
  'cases-settled': (cases: CaseTick) => void;
}
type EndedSessions = { tokenHash: string } | { userId: string };
/** A connection's replay, as the live push knows it: when it ends, and the moment it shows. */
interface Replay {
  stop(): void;
  at(): number;
}
export type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>;
export type RedisClient = ReturnType<typeof createClient>;

/**
 * The live push to browsers. Each client subscribes to layers and the server puts it in rooms.
 * Positions go to each client as its own binary frames, sent only when its connection can take
 * them (latest state wins); traffic, alerts and feeds go to rooms as JSON, which Socket.IO keeps
 * for a client that drops off and reconnects within the recovery window.
 */
export function attachRealtime(http: HttpServer, metrics: Metrics, auth: Pick<Auth, 'socketHandshake' | 'socketMiddleware' | 'liveSessions' | 'audit'>, recoveryWindowMs: number, redis?: { client: RedisClient; keyPrefix: string }) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents, NodeToNodeEvents, SocketData>(http, {
    // Several nodes: room pushes reach every node's screens, and a screen recovers its connection on any node.
    ...(redis && { adapter: createAdapter(redis.client, { streamName: `${redis.keyPrefix}:socket.io`, channelPrefix: `${redis.keyPrefix}:socket.io`, sessionKeyPrefix: `${redis.keyPrefix}:socket.io:session:` }) }),
    serveClient: false,
    maxHttpBufferSize: maxClientMessageBytes,
    allowRequest: auth.socketHandshake,
    // Middlewares run again for a recovered connection: its session is checked like a new one's.
    ...(recoveryWindowMs > 0 && { connectionStateRecovery: { maxDisconnectionDuration: recoveryWindowMs, skipMiddlewares: false } }),
  });
  io.use(auth.socketMiddleware);
  const table = new LivePositionTable();
  const eventsBySocket = new RateLimiter(eventsPerConnection, 10_000);
  // Frames are cut once per change for each set of layers (FrameGroups) and sent local-only: with
  // recovery on, an emit went through the adapter, across nodes a trip through Redis per frame.
  // Whether a connection can take a frame now: live frames and a replay's are held back alike.
  const writable = (socket: LiveSocket) => socket.conn.transport.writable;
  const frames = new FrameGroups<LiveSocket>(table, {
    writable,
    send(sockets, frame) {
      io.local.to(sockets.map((socket) => socket.id)).volatile.emit('positions', frame);
      metrics.count('onescreen_position_frames_total', { result: 'sent' }, sockets.length);
    },
    // Socket.IO would drop a volatile packet then anyway; keeping the changes lets the next frame carry them.
    deferred: () => metrics.count('onescreen_position_frames_total', { result: 'deferred' }),
  });
  const pushChanged = (changed: number[]) => frames.changed(changed);
  /** False (counted) when the connection has asked too often. */
  const withinRate = (socket: LiveSocket, event: string) => {
    if (eventsBySocket.take(socket.id).ok) return true;
    metrics.count('onescreen_socket_rejected_total', { event, reason: 'rate-limited' });
    return false;
  };
  // The replay each replaying connection has (server/replay.ts): ended by going live, subscribing or leaving.
  const replays = new Map<string, Replay>();
  const stopReplaying = (socket: LiveSocket) => {
    replays.get(socket.id)?.stop();
    replays.delete(socket.id);
    socket.leave(replayingRoom);
  };
  const followPositions = (socket: LiveSocket) => frames.follow(socket, new Set(entityKinds.filter((kind) => socket.rooms.has(roomPrefix + kind))));

  /** Leaves the rooms the user may no longer see (a grant taken away, a recovered connection). */
  const keepPermittedRooms = (socket: LiveSocket) => {
    const { user } = socket.data.signedIn.session;
    let left = false;
    for (const room of socket.rooms) {
      if (room.startsWith(roomPrefix) && !can(user, layerPermission(room.slice(roomPrefix.length) as LiveLayer))) {
        socket.leave(room);
        left = true;
      }
    }
    if (left) followPositions(socket);
  };
  const endConnection = (socket: LiveSocket, reason: string) => {
    socket.emit('session-ended', reason);
    socket.disconnect(true);
  };
  // Connected clients are sessions in use: each check moves their expiry on, or ends them.
  const checkSessions = async () => {
    const sockets = [...io.of('/').sockets.values()];
    if (sockets.length === 0) return;
    const live = await auth.liveSessions([...new Set(sockets.map((socket) => socket.data.signedIn.tokenHash))]);
    for (const socket of sockets) {
      const session = live.get(socket.data.signedIn.tokenHash);
      if (!session) endConnection(socket, 'the session ended; sign in again');
      else {
        socket.data.signedIn = { ...socket.data.signedIn, session };
        keepPermittedRooms(socket);
      }
    }
  };
  const sessionTimer = setInterval(() => void checkSessions().catch(() => {}), sessionCheckMs).unref();

  io.on('connection', (socket) => {
    metrics.set('onescreen_socket_clients', {}, io.engine.clientsCount);
    // A frame held back while the connection was busy goes out once the transport has written
    // what it had (engine.io's own 'drain' fires earlier, when its buffer is handed over).
    // The transport says 'drain' just before it marks itself writable, hence the setImmediate.
    const onTransportDrain = (transport: typeof socket.conn.transport) => transport.on('drain', () => setImmediate(() => frames.drained(socket)));
    onTransportDrain(socket.conn.transport);
    socket.conn.on('upgrade', onTransportDrain);
    // A recovered connection is back in its rooms, as far as its user may still see them; its positions start over from a keyframe.
    if (socket.recovered) {
      // Its replay ended with the old connection: the screen asks again.
      socket.leave(replayingRoom);
      keepPermittedRooms(socket);
      followPositions(socket);
    }
    socket.on('subscribe', async (layers, ack) => {
      if (!withinRate(socket, 'subscribe')) {
        if (typeof ack === 'function') ack({ error: `more than ${eventsPerConnection} requests in 10 s on this connection; wait and subscribe again` });
        return;
      }
      const parsed = subscription.safeParse(layers);
      if (!parsed.success) {
        metrics.count('onescreen_socket_rejected_total', { event: 'subscribe', reason: 'unknown-layer' });
        if (typeof ack === 'function') ack({ error: `subscribe takes a list of layers from ${liveLayers.join(', ')}; got ${JSON.stringify(layers)?.slice(0, 200)}` });
        return;
      }
      const wanted = new Set<LiveLayer>(parsed.data);
      const { user } = socket.data.signedIn.session;
      const forbidden = [...wanted].filter((layer) => !can(user, layerPermission(layer)));
      if (forbidden.length > 0) {
        metrics.count('onescreen_socket_rejected_total', { event: 'subscribe', reason: 'forbidden-layer' });
        if (typeof ack === 'function') ack({ error: `the ${user.role} role may not see ${forbidden.join(', ')}; subscribe without them, or ask an administrator` });
        return;
      }
      if (auditsPoliceReads(user) && policeKinds.some((kind) => wanted.has(kind))) {
        // A read that must be audited is not given unless its audit line is written.
        try {
          await auth.audit({ actor: user.id, action: 'police-positions-read', objectType: 'layers', after: { via: 'socket subscribe', layers: policeKinds.filter((kind) => wanted.has(kind)) }, client: socket.handshake.address });
        } catch {
          metrics.count('onescreen_socket_rejected_total', { event: 'subscribe', reason: 'audit-unavailable' });
          if (typeof ack === 'function') ack({ error: 'this read of police positions could not be recorded in the audit log, so it is not given; try again shortly' });
          return;
        }
      }
      stopReplaying(socket);
      for (const room of socket.rooms) if (room.startsWith(roomPrefix)) socket.leave(room);
      for (const layer of wanted) socket.join(roomPrefix + layer);
      followPositions(socket);
      if (typeof ack === 'function') ack({ layers: [...wanted] });
    });
    socket.on('resync', () => {
      if (!withinRate(socket, 'resync')) return;
      frames.resync(socket);
    });
    socket.on('disconnect', () => {
      stopReplaying(socket);
      frames.leave(socket);
      eventsBySocket.forget(socket.id);
      metrics.set('onescreen_socket_clients', {}, io.engine.clientsCount);
    });
  });
  /** Closes this node's connections of a session that ended, or of every session of a user. */
  const endSessions = (ended: EndedSessions) => {
    for (const socket of io.of('/').sockets.values()) {
      const { tokenHash, session } = socket.data.signedIn;
      if ('tokenHash' in ended ? tokenHash === ended.tokenHash : session.user.id === ended.userId) endConnection(socket, 'the session ended; sign in again');
    }
  };
  // What the other nodes applied moves this node's screens too.
  io.on('positions-applied', (entities) => pushChanged(table.apply(entities)));
  io.on('fixes-unjoined', (fixes) => pushChanged(table.moveTo(fixes)));
  io.on('sessions-ended', endSessions);
  const toLayer = (layer: LiveLayer) => io.to(roomPrefix + layer);
  const broadcastIncidents = (incidents: Incident[]) => {
    if (incidents.length > 0) toLayer('incidents').emit('incidents', incidents);
  };
  return {
    io,
    withinRate,
    /** Where entities are before anything moves, so a first keyframe shows the whole fleet. */
    seedPositions(entities: readonly LivePosition[]): void {
      table.apply(entities);
    },
    broadcastPositions(entities: readonly LivePosition[]): void {
      pushChanged(table.apply(entities));
      if (redis && entities.length > 0) io.serverSideEmit('positions-applied', [...entities]);
    },
    /** Fixes the database has not joined yet (it is behind or down): units move, their status stays. */
    broadcastUnjoinedFixes(fixes: readonly PositionEvent[]): void {
      pushChanged(table.moveTo(fixes));
      if (redis && fixes.length > 0) io.serverSideEmit('fixes-unjoined', [...fixes]);
    },
    broadcastCameras({ segments, events, incidents }: CameraTick): void {
      if (segments.length > 0) toLayer('traffic').emit('traffic', segments);
      if (events.length > 0) toLayer('alerts').emit('camera-events', events);
      broadcastIncidents(incidents);
    },
    broadcastIncidents,
    /** Every connected screen is signed in (the handshake checks it): a warning goes to all of them. */
    broadcastWarning(warning: Warning): void {
      io.except(replayingRoom).emit('warning', warning);
    },
    broadcastGeofenceAlerts(alerts: GeofenceAlert[]): void {
      if (alerts.length > 0) toLayer('dispatch').emit('geofence-alerts', alerts);
    },
    broadcastAssignments(assignments: LiveAssignment[]): void {
      if (assignments.length > 0) toLayer('dispatch').emit('assignments', assignments);
    },
    /** What this node sees of the feeds and its core, to its own screens (each node pushes its own). */
    broadcastFeeds(feeds: FeedStatus[], core: CoreStatus): void {
      io.local.to(roomPrefix + 'feeds').emit('feeds', feeds);
      io.local.to(roomPrefix + 'feeds').emit('core', core);
    },
    broadcastServiceRequest(request: ServiceRequest): void {
      toLayer('alerts').emit('service-requests', [request]);
    },
    /** Hands a tick's cases to the other nodes (REDIS_URL), whose senders may be waiting on them. */
    shareCases(cases: CaseTick): void {
      if (redis && (cases.reports.length > 0 || cases.refusedReports.length > 0 || cases.alarms.length > 0 || cases.calls.length > 0)) io.serverSideEmit('cases-settled', cases);
    },
    onCasesFromOtherNodes(settle: (cases: CaseTick) => void): void {
      io.on('cases-settled', settle);
    },
    /** The connection shows the past from now on: out of the live rooms and frames, its replay kept until it goes live. */
    startReplaying(socket: LiveSocket, replay: Replay): void {
      stopReplaying(socket);
      for (const room of socket.rooms) if (room.startsWith(roomPrefix)) socket.leave(room);
      frames.leave(socket);
      socket.join(replayingRoom);
      replays.set(socket.id, replay);
    },
    /** Ends the connection's replay; it is live again once it subscribes. */
    stopReplaying,
    /** The moment the connection's replay shows (epoch ms); undefined when it is live. */
    replayingAt: (socket: LiveSocket): number | undefined => replays.get(socket.id)?.at(),
    writable,
    /** Closes the connections of a session that ended, or of every session of a user. */
    endSessions(ended: EndedSessions): void {
      endSessions(ended);
      if (redis) io.serverSideEmit('sessions-ended', ended);
    },
    /** Stops the session checks, closes every connection, then the connection to Redis. */
    async close(): Promise<void> {
      clearInterval(sessionTimer);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await redis?.client.close();
    },
  };
}
