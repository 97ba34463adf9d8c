import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, LiveLayer, ServerToClientEvents, SessionInfo } from '../streams/index.ts';
import { ReplayControl } from './replay-control.ts';
import { goToSignIn } from './session.ts';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface LiveSocketViews {
  /**
   * After every connection Socket.IO could not recover: subscribe, then re-read the snapshots
   * (pushes that arrive meanwhile apply on top). Throwing means "not yet": it is tried again,
   * backing off, for as long as the connection holds.
   */
  resume(socket: LiveSocket): Promise<void>;
  /** The connection came or went. */
  connection(live: boolean): void;
  /** A resume failed while positions or pushes may still flow: the server is slow, not gone. */
  slow?(): void;
  /** A replay jumped to another moment: clear what is shown (positions start over from their keyframe). */
  reset?(): void;
  /** The layers the view shows: a replay reads and sends only these (every one its user may see when left out). */
  replayLayers?: readonly LiveLayer[];
}

// After the server refused a connection for a passing reason (starting, busy), ms.
const refusedRetryMs = 3_000;
// The longest wait between tries to resume, ms.
const resumeRetryMaxMs = 30_000;

/**
 * The one live connection of a view (wall, console, boards): it reconnects by itself, also after
 * the server refused it for a passing reason (which ends Socket.IO's own retries), re-reads the
 * view's snapshot before trusting the pushes again, says when it is offline, and sends the user
 * to sign in when the session has ended.
 */
export function openLiveSocket(session: SessionInfo, views: LiveSocketViews): { socket: LiveSocket; replay: ReplayControl } {
  // The handshake carries the session's CSRF token: the cookie alone, which a cross-site page could make the browser send, is not enough.
  const socket: LiveSocket = io({ transports: ['websocket'], auth: { csrf: session.csrf } });
  const resume = async () => {
    for (let attempt = 0; socket.connected; attempt += 1) {
      try {
        return await views.resume(socket);
      } catch {
        views.slow?.();
        await new Promise((resolve) => setTimeout(resolve, Math.min(resumeRetryMaxMs, 1_000 * 2 ** attempt)));
      }
    }
  };
  const replay = new ReplayControl(socket, { reset: () => views.reset?.(), goneLive: resume, ...(views.replayLayers && { layers: views.replayLayers }) });
  socket.on('connect', () => {
    views.connection(true);
    // A replaying view asks for its replay again, recovered or not: the server's ended with the old connection.
    if (replay.replaying) void replay.resumed();
    else if (!socket.recovered) void resume();
  });
  socket.on('disconnect', () => views.connection(false));
  socket.on('session-ended', () => void goToSignIn());
  socket.on('connect_error', (error) => {
    // Refused for the session (expired, signed out elsewhere): sign in again. Anything else: keep trying.
    const reason = (error as Error & { data?: { reason?: string } }).data?.reason;
    if (reason === 'signed-out' || reason === 'csrf') return void goToSignIn();
    views.connection(false);
    // A refusal by the server's checks stops Socket.IO's own retries; a passing one is retried here.
    if (!socket.active) setTimeout(() => socket.connect(), refusedRetryMs);
  });
  return { socket, replay };
}
