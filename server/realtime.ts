import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { ClientToServerEvents, LiveEntity, ServerToClientEvents } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

/** The live push to browsers: every connected client receives each tick's moved entities. */
export function attachRealtime(http: HttpServer, metrics: Metrics) {
  const io = new Server<ClientToServerEvents, ServerToClientEvents>(http, { serveClient: false });
  io.on('connection', (socket) => {
    metrics.set('onescreen_socket_clients', {}, io.engine.clientsCount);
    socket.on('disconnect', () => metrics.set('onescreen_socket_clients', {}, io.engine.clientsCount));
  });
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
