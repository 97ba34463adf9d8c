import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, LiveEntity, ServerToClientEvents } from '../streams/index.ts';

/** The live push to browsers: every connected client receives each tick's moved entities. */
export function attachRealtime(http: HttpServer) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { serveClient: false });
  let seq = 0;
  return {
    io,
    broadcastPositions(entities: LiveEntity[]): void {
      seq += 1;
      io.emit('positions', { seq, entities });
    },
    close: () => io.close(),
  };
}
