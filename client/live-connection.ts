import type { FeedStatus, GeofenceAlert, Incident, JoinedCameraEvent, SegmentTraffic, ServiceRequest, SessionInfo, Warning } from '../streams/index.ts';
import type { AlertList } from './alert-list.ts';
import type { EntityTable } from './entity-table.ts';
import { openLiveSocket } from './live-socket.ts';
import { wallUpdaters, type WallStore } from './wall-store.ts';

// How long subscribing may take before the wall says the server is slow, ms.
const subscribeTimeoutMs = 10_000;

/**
 * The wall's live connection (see openLiveSocket). It subscribes, and the server answers with a position
 * keyframe. A connection Socket.IO recovers gets the alerts it missed replayed by the server;
 * otherwise the snapshots are re-read, so nothing missed while disconnected stays wrong on
 * screen. Alerts carry versions, so a replay or a snapshot never shows one twice.
 */
export function connectLive(session: SessionInfo, table: EntityTable, alerts: AlertList, store: WallStore, traffic: { show(segments: readonly SegmentTraffic[]): void; clear(): void }, onReset?: () => void) {
  const showTraffic = (segments: readonly SegmentTraffic[]) => traffic.show(segments);
  const apply = (update: (state: ReturnType<WallStore['getState']>) => ReturnType<WallStore['getState']>) => store.setState(update(store.getState()), true);

  const readSnapshots = async () => {
    const [traffic, feeds, cameraEvents, reports, incidents, geofenceAlerts, warnings] = await Promise.all(
      ['/api/traffic', '/api/feeds', '/api/camera-events', '/api/reports', '/api/incidents', '/api/geofence-alerts', '/api/warnings'].map((path) => fetch(path)),
    );
    if (cameraEvents!.ok) alerts.addCameraEvents(((await cameraEvents!.json()) as JoinedCameraEvent[]).reverse());
    if (reports!.ok) alerts.addReports((await reports!.json()) as ServiceRequest[]);
    if (incidents!.ok) alerts.addIncidents((await incidents!.json()) as Incident[]);
    if (geofenceAlerts!.ok) alerts.addGeofenceAlerts((await geofenceAlerts!.json()) as GeofenceAlert[]);
    if (warnings!.ok) alerts.addWarnings((await warnings!.json()) as Warning[]);
    if (traffic!.ok) showTraffic((await traffic!.json()) as SegmentTraffic[]);
    if (feeds!.ok) {
      const status = (await feeds!.json()) as FeedStatus[];
      apply((state) => wallUpdaters.feedsSeen(state, status));
    }
  };
  // Retried until it succeeds while connected: a busy server answering late must not leave the
  // wall without alerts, or saying it is unreachable. Positions flowing meanwhile mean the
  // subscription took: the server is late, not gone.
  let positionsBefore = store.getState().lastUpdateAt;
  const { socket, replay } = openLiveSocket(session, {
    // A replay's jump, or back to live: another moment's units and alerts follow. Traffic is not
    // replayed: a replaying map shows none rather than the present's.
    reset() {
      table.clear();
      alerts.clear();
      traffic.clear();
      onReset?.();
    },
    async resume(live) {
      positionsBefore = store.getState().lastUpdateAt;
      // Subscribe first: whatever changes while the snapshots are read arrives as a push.
      // The wall shows every layer its user may see; switching one off only hides it, so switching it back is instant.
      const subscribed = await live.timeout(subscribeTimeoutMs).emitWithAck('subscribe', session.layers);
      if ('error' in subscribed) throw new Error(subscribed.error);
      await readSnapshots();
      apply((state) => wallUpdaters.snapshotRead(state, Date.now()));
    },
    connection: (live) => apply(live ? wallUpdaters.connected : wallUpdaters.disconnected),
    slow() {
      if (store.getState().lastUpdateAt === positionsBefore) apply((state) => wallUpdaters.problemSeen(state, { kind: 'slow-server' }));
    },
  });
  socket.on('positions', (frame) => {
    if (!table.applyFrame(frame)) {
      socket.emit('resync');
      return;
    }
    apply((state) => wallUpdaters.positionsApplied(state, { seq: frame.seq, at: Date.now(), counts: table.countByKind() }));
  });
  socket.on('traffic', showTraffic);
  socket.on('camera-events', (events) => alerts.addCameraEvents(events));
  socket.on('service-requests', (requests) => alerts.addReports(requests));
  socket.on('incidents', (incidents) => alerts.addIncidents(incidents));
  socket.on('geofence-alerts', (pushed) => alerts.addGeofenceAlerts(pushed));
  socket.on('warning', (warning) => alerts.addWarnings([warning]));
  socket.on('feeds', (feeds) => apply((state) => wallUpdaters.feedsSeen(state, feeds)));
  socket.on('core', (core) => apply((state) => wallUpdaters.coreSeen(state, core)));
  return { socket, replay };
}
