// Whole-city replay over the live connection (issue 21): a screen asks for a moment and a speed, and
// gets the past as the same messages the live city sends (binary position frames, cases, units sent,
// warnings, fence alerts) from a player of its own (streams/replay-player.ts), until it goes live.
// Roles apply as live: only the kinds and layers the user may see; an audited role's replay of
// police units is audited before it is given.
import { z } from 'zod';
import { cityAt, cityChanges, type Database } from '../geo/index.ts';
import { liveLayers, ReplayPlayer, replaySpeeds, type LiveLayer, type ReplayRequest, type ReplayResult, type ReplaySink } from '../streams/index.ts';
import type { Auth } from './auth.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { auditsPoliceReads, can, layerPermission, policeKinds, visibleKinds } from './permissions.ts';
import type { Posture } from './posture.ts';
import type { attachRealtime, LiveSocket } from './realtime.ts';

// Replays a node plays at once: each reads history ahead of its clock, so the database sets the bound.
export const maxReplaysPerNode = 20;
// The longest step of a paused replay: an hour of the past.
const maxStepMs = 3_600_000;
// What operators and dispatchers did to cases, units, warnings, fences and alerts: the lines of the
// audit log a replaying screen lists beside the map for anyone who may read cases. The rest (sign-ins,
// keys, users, reads of police positions) only for those who may read the audit log itself.
const operationalActions = new Set([
  'incident-transition', 'incident-merged', 'incident-from-call', 'unit-assigned', 'warning-issued',
  'geofence-created', 'geofence-removed', 'geofence-alerts-cleared', 'geofence-alert-acknowledge', 'geofence-alert-assign', 'geofence-alert-clear',
]);

const request = z
  .object({
    at: z.number().int().positive().optional(),
    speed: z.number().min(replaySpeeds.min).max(replaySpeeds.max).optional(),
    playing: z.boolean().optional(),
    stepMs: z.number().int().positive().max(maxStepMs).optional(),
    layers: z.array(z.enum(liveLayers)).max(liveLayers.length).optional(),
  })
  .strict();

type Realtime = ReturnType<typeof attachRealtime>;

export function attachReplay(realtime: Realtime, db: () => Database | undefined, posture: Pick<Posture, 'read'>, auth: Pick<Auth, 'audit'>, metrics: Metrics, log: Logger) {
  const players = new Map<string, ReplayPlayer>();
  const refuse = (reason: string) => metrics.count('onescreen_socket_rejected_total', { event: 'replay', reason });

  /** A player for this connection, reading only what its user may see of the layers its screen shows; or why there is none. */
  const startPlayer = async (socket: LiveSocket, layers: readonly LiveLayer[] = liveLayers): Promise<ReplayPlayer | string> => {
    const database = db();
    if (!database) return 'the server is still starting; try again in a few seconds';
    if (players.size >= maxReplaysPerNode) return `this server already plays ${maxReplaysPerNode} replays; try again later or on another node`;
    const { user } = socket.data.signedIn.session;
    const shown = new Set(layers);
    const kinds = visibleKinds(user).filter((kind) => shown.has(kind));
    if (auditsPoliceReads(user) && kinds.some((kind) => policeKinds.includes(kind))) {
      // A read that must be audited is not given unless its audit line is written (as live).
      await auth.audit({ actor: user.id, action: 'police-positions-read', objectType: 'layers', after: { via: 'socket replay', layers: policeKinds.filter((kind) => kinds.includes(kind)) }, client: socket.handshake.address });
    }
    const may = (layer: 'incidents' | 'dispatch' | 'alerts' | 'traffic') => shown.has(layer) && can(user, layerPermission(layer));
    const sink: ReplaySink = {
      writable: () => realtime.writable(socket),
      // Not volatile: the player sends only when the connection can take it (the keyframe after a jump always).
      positions: (frame) => kinds.length > 0 && socket.emit('positions', frame),
      incidents: (incidents) => may('incidents') && socket.emit('incidents', incidents),
      reports: (reports) => may('alerts') && socket.emit('service-requests', reports),
      assignments: (assignments) => may('dispatch') && socket.emit('assignments', assignments),
      geofenceAlerts: (alerts) => may('dispatch') && socket.emit('geofence-alerts', alerts),
      traffic: (segments) => may('traffic') && segments.length > 0 && socket.emit('traffic', segments),
      cameraEvents: (events) => may('alerts') && events.length > 0 && socket.emit('camera-events', events),
      boards: (snapshot) => socket.emit('posture', snapshot),
      audit: (entries) => {
        // Where a request came from is the audit log's own business.
        const shown = can(user, 'audit:read') ? entries : entries.filter((entry) => operationalActions.has(entry.action)).map(({ client: _client, ...entry }) => entry);
        if (shown.length > 0 && may('incidents')) socket.emit('replay-audit', shown);
      },
      warnings: (warnings) => warnings.forEach((warning) => socket.emit('warning', warning)),
      clock: (clock) => socket.emit('replay-clock', clock),
      failed: (message) => {
        log.warn('a replay could not read history', { message });
        socket.emit('replay-failed', message);
      },
    };
    const reads = {
      cityAt: (at: number) => cityAt(database, at, kinds),
      cityChanges: (from: number, to: number) => cityChanges(database, from, to, kinds),
      // The boards the screen watches (only one that may read them watches any), at the replayed moment.
      boardsAt: async (at: number) => (socket.data.posture ? posture.read(socket.data.posture, at) : null),
    };
    const player = new ReplayPlayer(reads, new Set(kinds), sink);
    players.set(socket.id, player);
    realtime.startReplaying(socket, {
      at: () => player.clock.at,
      stop: () => {
        player.stop();
        players.delete(socket.id);
        metrics.set('onescreen_replays', {}, players.size);
      },
    });
    metrics.set('onescreen_replays', {}, players.size);
    return player;
  };

  const answer = async (socket: LiveSocket, asked: ReplayRequest): Promise<ReplayResult> => {
    let player = players.get(socket.id);
    if (!player) {
      if (asked.at === undefined) return { error: 'no replay is playing on this connection; start one with at, the moment to show (epoch ms)' };
      const started = await startPlayer(socket, asked.layers);
      if (typeof started === 'string') return { error: started };
      player = started;
    }
    const { speed = player.clock.speed, playing = player.clock.playing } = asked;
    if (asked.at !== undefined) await player.seek(asked.at, speed, playing);
    else if (asked.stepMs !== undefined) await player.stepBy(asked.stepMs);
    else {
      player.setSpeed(speed);
      player.setPlaying(playing);
    }
    return { clock: player.clock };
  };

  realtime.io.on('connection', (socket) => {
    socket.on('replay', async (input, ack) => {
      const reply = typeof ack === 'function' ? ack : () => {};
      if (!realtime.withinRate(socket, 'replay')) return reply({ error: 'too many requests on this connection; wait 10 s and ask again' });
      const parsed = request.safeParse(input);
      if (!parsed.success) {
        refuse('bad-request');
        return reply({ error: `replay takes { at?: epoch ms, speed?: ${replaySpeeds.min}–${replaySpeeds.max}, playing?: boolean, stepMs?: up to ${maxStepMs}, layers?: [${liveLayers.join(', ')}] }; ${parsed.error.issues[0]?.message ?? ''}` });
      }
      try {
        reply(await answer(socket, parsed.data));
      } catch (error) {
        log.warn('starting a replay failed', { error });
        reply({ error: `the replay could not start (${error instanceof Error ? error.message : String(error)}); try again shortly` });
      }
    });
    socket.on('live', (ack) => {
      realtime.stopReplaying(socket);
      if (typeof ack === 'function') ack({ ok: true });
    });
  });
}
