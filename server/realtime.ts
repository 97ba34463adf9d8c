import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { CameraTick, ClientToServerEvents, FeedStatus, LiveEntity, ServerToClientEvents, ServiceRequest } from '../streams/index.ts';
import type { Metrics } from './metrics.ts';

/** The live push to browsers: every connected client receives each tick's changes. */
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
    broadcastCameras({ segments, events }: CameraTick): void {
      if (segments.length > 0) io.emit('traffic', segments);
      if (events.length > 0) io.emit('camera-events', events);
    },
    broadcastFeeds(feeds: FeedStatus[]): void {
      io.emit('feeds', feeds);
    },
    broadcastServiceRequest(request: ServiceRequest): void {
      io.emit('service-requests', [request]);
    },
    close: () => io.close(),
  };
}
