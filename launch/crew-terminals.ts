import { Observable } from 'rxjs';
import { io, type Socket } from 'socket.io-client';
import { demoPassword } from '../geo/index.ts';
import type { ClientToServerEvents, LiveAssignment, ServerToClientEvents } from '../streams/index.ts';

/**
 * The assignments the dispatch screens are pushed, heard as the units' terminals would hear their
 * orders: signed in as the demo dispatcher, subscribed to the dispatch layer. Reconnects by itself.
 */
export function dispatchedAssignments(serverUrl: string, onFailure: (error: unknown) => void): Observable<LiveAssignment[]> {
  return new Observable<LiveAssignment[]>((subscriber) => {
    let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
    const connect = async () => {
      const response = await fetch(new URL('/api/session', serverUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'dispatcher', password: demoPassword }),
      });
      if (!response.ok) throw new Error(`the simulated crews could not sign in as the demo dispatcher (${response.status}); they patrol without orders`);
      const cookie = response.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
      const { csrf } = (await response.json()) as { csrf: string };
      if (subscriber.closed) return;
      socket = io(serverUrl, { transports: ['websocket'], extraHeaders: { cookie }, auth: { csrf } });
      socket.on('connect', () => void socket!.emit('subscribe', ['dispatch'], () => {}));
      socket.on('assignments', (assignments) => subscriber.next(assignments));
    };
    connect().catch(onFailure);
    return () => socket?.close();
  });
}
