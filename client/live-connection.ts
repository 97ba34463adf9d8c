import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, FeedStatus, JoinedCameraEvent, LiveEntity, SegmentTraffic, ServerToClientEvents, ServiceRequest } from '../streams/index.ts';
import type { AlertList } from './alert-list.ts';
import type { EntityTable } from './entity-table.ts';
import { wallUpdaters, type WallStore } from './wall-store.ts';

/**
 * The one owner of the live connection. On every (re)connect it re-reads the snapshot before
 * trusting pushed updates, so nothing missed while disconnected stays wrong on screen.
 */
export function connectLive(table: EntityTable, alerts: AlertList, store: WallStore, showTraffic: (segments: readonly SegmentTraffic[]) => void) {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({ transports: ['websocket'] });
  const apply = (update: (state: ReturnType<WallStore['getState']>) => ReturnType<WallStore['getState']>) => store.setState(update(store.getState()), true);

  socket.on('connect', async () => {
    apply(wallUpdaters.connected);
    try {
      const response = await fetch('/api/entities');
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      table.upsert((await response.json()) as LiveEntity[]);
      const [traffic, feeds, cameraEvents, reports] = await Promise.all([
        fetch('/api/traffic'),
        fetch('/api/feeds'),
        fetch('/api/camera-events'),
        fetch('/api/reports'),
      ]);
      if (cameraEvents.ok) alerts.addCameraEvents(((await cameraEvents.json()) as JoinedCameraEvent[]).reverse());
      if (reports.ok) alerts.addReports((await reports.json()) as ServiceRequest[]);
      if (traffic.ok) showTraffic((await traffic.json()) as SegmentTraffic[]);
      if (feeds.ok) {
        const status = (await feeds.json()) as FeedStatus[];
        apply((state) => wallUpdaters.feedsSeen(state, status));
      }
      apply((state) => wallUpdaters.positionsApplied(state, { seq: state.lastSeq, at: Date.now(), counts: table.countByKind() }));
    } catch {
      apply((state) => wallUpdaters.problemSeen(state, { kind: 'unreachable' }));
    }
  });
  socket.on('positions', (update) => {
    table.upsert(update.entities);
    apply((state) => wallUpdaters.positionsApplied(state, { seq: update.seq, at: Date.now(), counts: table.countByKind() }));
  });
  socket.on('traffic', showTraffic);
  socket.on('camera-events', (events) => alerts.addCameraEvents(events));
  socket.on('service-requests', (requests) => alerts.addReports(requests));
  socket.on('feeds', (feeds) => apply((state) => wallUpdaters.feedsSeen(state, feeds)));
  socket.on('disconnect', () => apply(wallUpdaters.disconnected));
  socket.on('connect_error', () => apply(wallUpdaters.disconnected));
  return socket;
}

