import type { GeofenceAlert, Incident, JoinedCameraEvent, ServiceRequest, Warning } from '../streams/index.ts';
import type { Language } from './i18n.ts';

/** Something the wall must show in place: what a camera saw, or an open report. */
export interface Alert {
  id: string;
  /** A camera event, an open report, a case past its SLA (督办), a geofence crossed, or an emergency warning. */
  source: 'camera' | 'report' | 'supervision' | 'geofence' | 'warning';
  /** 1 (minor) … 4 (critical): colour, and pulsing from 3. */
  severity: number;
  lon: number;
  lat: number;
  title: string;
  /** Free text from the public or from analytics: shown as text, never as HTML. */
  description: string;
  at: number;
  /** The camera's site, for camera alerts; the grid cell, for reports. */
  siteId?: string;
  cellId?: string | null;
  kind?: string;
  /** An emergency warning's area: rings of [lon, lat]. */
  area?: [number, number][][];
  /** Where its case stands, for a report or an overdue case: registered, dispatched, handling… */
  state?: string;
}

const cameraTitles: Record<Language, Record<string, string>> = {
  'zh-CN': { accident: '交通事故', congestion: '拥堵', 'wrong-way': '车辆逆行', 'stopped-vehicle': '异常停车', 'camera-offline': '摄像机离线' },
  en: { accident: 'Accident', congestion: 'Congestion', 'wrong-way': 'Wrong-way driver', 'stopped-vehicle': 'Stopped vehicle', 'camera-offline': 'Camera offline' },
};
const geofenceTitles: Record<Language, Record<GeofenceAlert['event'], string>> = {
  'zh-CN': { enter: '进入', exit: '离开', dwell: '滞留' },
  en: { enter: 'Entered', exit: 'Left', dwell: 'Dwelling in' },
};
// Reports that put people at risk stand out; the rest wait their turn.
const reportSeverity: Record<string, number> = { 'safety-hazard': 3, manhole: 2, 'signal-fault': 2 };
// Camera events and warnings older than this leave the wall, ms.
const alertLifeMs = 2 * 3_600_000;
// A minor report is marked for this long, ms; after that its grid cell's shading stands for it.
const minorReportMarkedMs = 30 * 60_000;
// A gone alert's version is kept this long, ms: longer than any replay (connection-state recovery
// keeps 2 min; a snapshot races a push by seconds), short enough that a day of reports is not kept.
const forgetGoneAfterMs = 10 * 60_000;

/**
 * The alerts on the wall, keyed by id; camera events age out, reports stay while open. Each
 * source has a version per alert (the camera event's id, the report's last update), so an
 * update that arrives twice or out of order (a replay after reconnecting, a snapshot racing a
 * push) changes nothing.
 */
export class AlertList {
  private readonly byId = new Map<string, Alert>();
  /** The newest version seen per alert id, kept after the alert is gone so a replay cannot bring it back. */
  private readonly versions = new Map<string, number>();
  /** When each gone alert went (epoch ms), until its version is forgotten. */
  private readonly goneAt = new Map<string, number>();
  /** Rises on every change, so renderers know when to re-read. */
  version = 0;
  /** The moment the list is shown at (epoch ms): now, or a replay's time, by which alerts age off. */
  clock: () => number = Date.now;

  constructor(private readonly language: Language) {}

  private isNewer(id: string, version: number): boolean {
    if (version <= (this.versions.get(id) ?? -Infinity)) return false;
    this.versions.set(id, version);
    this.goneAt.delete(id);
    return true;
  }

  private remove(id: string, at: number): void {
    this.byId.delete(id);
    this.goneAt.set(id, at);
  }

  /** Forgets every alert and version: a replay jumped to another moment, whose alerts follow. */
  clear(): void {
    this.byId.clear();
    this.versions.clear();
    this.goneAt.clear();
    this.version += 1;
  }

  /** How many alert versions are remembered, current and gone. */
  get remembered(): number {
    return this.versions.size;
  }

  addCameraEvents(events: readonly JoinedCameraEvent[]): void {
    for (const event of events) {
      // Online and offline are one alert's two states.
      const id = `camera-${event.cameraId}-${event.kind === 'camera-online' ? 'camera-offline' : event.kind}`;
      if (!this.isNewer(id, event.id)) continue;
      if (event.kind === 'camera-online') {
        this.remove(id, event.eventTime);
        continue;
      }
      const title = cameraTitles[this.language][event.kind] ?? event.kind;
      this.byId.set(id, { id, source: 'camera', kind: event.kind, siteId: event.siteId, severity: event.severity, lon: event.lon, lat: event.lat, title, description: event.description, at: event.eventTime });
    }
    this.version += 1;
  }

  addReports(requests: readonly ServiceRequest[]): void {
    for (const request of requests) {
      const id = `report-${request.id}`;
      if (!this.isNewer(id, Date.parse(request.updatedAt))) continue;
      if (request.status === 'closed') this.remove(id, Date.parse(request.updatedAt));
      else {
        const title = this.language === 'en' ? request.serviceNameEn : request.serviceNameZh;
        this.byId.set(id, {
          id,
          source: 'report',
          cellId: request.cellId,
          severity: reportSeverity[request.serviceCode] ?? 1,
          lon: request.lon,
          lat: request.lat,
          title,
          description: request.description,
          at: Date.parse(request.requestedAt),
          state: request.status,
        });
      }
    }
    this.version += 1;
  }

  /**
   * Cases past their SLA (督办) are critical until someone answers or closes them; versions are
   * the incident's own, so a snapshot older than a push changes nothing.
   */
  addIncidents(incidents: readonly Incident[]): void {
    for (const incident of incidents) {
      const id = `incident-${incident.id}-overdue`;
      // Cases never overdue are not this list's business (nor its memory's).
      if (!incident.supervisedAt || !this.isNewer(id, incident.version)) continue;
      const finished = ['answered', 'closed', 'cancelled'].includes(incident.status);
      if (!incident.supervisedAt || finished) {
        if (this.byId.has(id)) this.remove(id, Date.parse(incident.updatedAt));
        continue;
      }
      const category = this.language === 'en' ? incident.categoryEn : incident.categoryZh;
      this.byId.set(id, {
        id,
        source: 'supervision',
        severity: 4,
        lon: incident.lon,
        lat: incident.lat,
        title: this.language === 'en' ? `Overdue · ${category}` : `督办 · ${category}`,
        description: incident.description,
        at: Date.parse(incident.supervisedAt),
        cellId: incident.cellId,
        state: incident.status,
      });
    }
    this.version += 1;
  }

  /** Geofence alerts stay until someone clears them; acknowledging or assigning one keeps it shown. */
  addGeofenceAlerts(alerts: readonly GeofenceAlert[]): void {
    for (const alert of alerts) {
      const id = `geofence-${alert.id}`;
      if (!this.isNewer(id, alert.version)) continue;
      if (alert.state === 'cleared') {
        this.remove(id, this.clock());
        continue;
      }
      // A repeat folds into its alert: the wall counts it, and it is not news again (same id).
      const repeats = alert.repeats > 0 ? ` ×${alert.repeats + 1}` : '';
      const title = `${geofenceTitles[this.language][alert.event]} · ${alert.geofenceName}${repeats}`;
      this.byId.set(id, { id, source: 'geofence', kind: alert.event, severity: alert.severity, lon: alert.lon, lat: alert.lat, title, description: alert.entityLabel, at: Date.parse(alert.at) });
    }
    this.version += 1;
  }

  /** Emergency warnings, placed at the middle of their area; they never change, and age off like camera events. */
  addWarnings(warnings: readonly Warning[]): void {
    for (const warning of warnings) {
      const id = `warning-${warning.id}`;
      if (!this.isNewer(id, 1)) continue;
      const ring = warning.area.coordinates[0]!.slice(1);
      const [lon, lat] = ring.reduce(([x, y], [a, b]) => [x + a / ring.length, y + b / ring.length], [0, 0]);
      const title = this.language === 'en' ? 'Emergency warning' : '紧急预警';
      this.byId.set(id, { id, source: 'warning', severity: warning.severity, lon, lat, title, description: warning.message, at: Date.parse(warning.issuedAt), area: warning.area.coordinates });
    }
    this.version += 1;
  }

  /** Every current alert, oldest first. */
  all(now = this.clock()): Alert[] {
    for (const [id, alert] of this.byId) if ((alert.source === 'camera' || alert.source === 'warning') && now - alert.at > alertLifeMs) this.remove(id, now);
    for (const [id, at] of this.goneAt) {
      if (now - at <= forgetGoneAfterMs) continue;
      this.goneAt.delete(id);
      this.versions.delete(id);
    }
    return [...this.byId.values()].sort((a, b) => a.at - b.at);
  }

  /**
   * The alerts to mark on the wall, oldest first so the newest draw on top: camera alerts, and
   * reports that are serious or new. Hundreds of open minor reports would bury the map.
   */
  items(now = this.clock()): Alert[] {
    return this.all(now).filter((alert) => alert.source !== 'report' || alert.severity >= 2 || now - alert.at < minorReportMarkedMs);
  }
}

/** What the base map shows of the alerts: open reports per grid cell, and sites with a camera offline. */
export function basemapStates(alerts: readonly Alert[]): { openReportsByCell: Map<string, number>; offlineSites: Set<string> } {
  const openReportsByCell = new Map<string, number>();
  const offlineSites = new Set<string>();
  for (const alert of alerts) {
    if (alert.source === 'report' && alert.cellId) openReportsByCell.set(alert.cellId, (openReportsByCell.get(alert.cellId) ?? 0) + 1);
    if (alert.kind === 'camera-offline' && alert.siteId) offlineSites.add(alert.siteId);
  }
  return { openReportsByCell, offlineSites };
}
