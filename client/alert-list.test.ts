import { describe, expect, it } from 'vitest';
import type { GeofenceAlert, Incident, JoinedCameraEvent, ServiceRequest, Warning } from '../streams/index.ts';
import { AlertList, basemapStates } from './alert-list.ts';

const now = Date.parse('2026-11-21T08:00:00Z');
let nextEventId = 1;
const cameraEvent = (kind: JoinedCameraEvent['kind'], minutesAgo: number, cameraId = 'cam-00001'): JoinedCameraEvent => ({
  id: nextEventId++, cameraId, siteId: 'site-0001', kind, severity: kind === 'accident' ? 3 : 2, description: '<b>追尾</b>', sourceId: 'mqtt',
  eventTime: now - minutesAgo * 60_000, receivedAt: now, lon: 84.87, lat: 45.59, segmentId: 'seg-00001', districtId: 'd-01', cellId: 'cell-000-000',
});
const report = (id: number, serviceCode: string, status: ServiceRequest['status'] = 'registered', updatedMinutesLater = 0): ServiceRequest => ({
  id, serviceCode, serviceNameZh: '安全隐患', serviceNameEn: 'Safety hazard', status, statusNotes: null, description: 'loose billboard', mediaUrl: null, address: null,
  reporter: 'citizen', lon: 84.9, lat: 45.6, districtId: 'd-02', cellId: 'cell-001-001', departmentId: 'public-security', departmentZh: '公安局', departmentEn: 'Public Security Bureau',
  requestedAt: new Date(now).toISOString(), updatedAt: new Date(now + updatedMinutesLater * 60_000).toISOString(),
});

describe('AlertList', () => {
  it('shows camera events and open reports, titled in the wall’s language, oldest first', () => {
    const alerts = new AlertList('en');
    alerts.addCameraEvents([cameraEvent('accident', 5)]);
    alerts.addReports([report(1001, 'safety-hazard'), report(1002, 'garbage')]);
    expect(alerts.items(now).map((a) => [a.id, a.title, a.severity, a.description])).toEqual([
      ['camera-cam-00001-accident', 'Accident', 3, '<b>追尾</b>'],
      ['report-1001', 'Safety hazard', 3, 'loose billboard'],
      ['report-1002', 'Safety hazard', 1, 'loose billboard'],
    ]);
  });

  it('clears a camera offline alert when the camera is back, a closed report, and camera events after two hours', () => {
    const alerts = new AlertList('zh-CN');
    alerts.addCameraEvents([cameraEvent('camera-offline', 1, 'cam-00002'), cameraEvent('congestion', 150)]);
    expect(alerts.items(now).map((a) => a.title)).toEqual(['摄像机离线']);
    alerts.addCameraEvents([cameraEvent('camera-online', 0, 'cam-00002')]);
    alerts.addReports([report(1001, 'garbage')]);
    alerts.addReports([report(1001, 'garbage', 'closed', 5)]);
    expect(alerts.items(now)).toEqual([]);
  });

  it('ignores updates it has already seen, so a replay or a snapshot racing a push changes nothing', () => {
    const alerts = new AlertList('en');
    const offline = cameraEvent('camera-offline', 3, 'cam-00003');
    const online = cameraEvent('camera-online', 1, 'cam-00003');
    alerts.addCameraEvents([offline, online]);
    alerts.addReports([report(1001, 'garbage'), report(1001, 'garbage', 'closed', 5)]);
    // A reconnecting wall reads the last hours again: older versions arrive after newer ones.
    alerts.addCameraEvents([offline, offline]);
    alerts.addReports([report(1001, 'garbage')]);
    expect(alerts.all(now)).toEqual([]);
    alerts.addCameraEvents([cameraEvent('accident', 1), cameraEvent('accident', 1)]);
    expect(alerts.all(now)).toHaveLength(1);
  });

  it('forgets a gone alert’s version after ten minutes, so a day of closed reports is not kept', () => {
    const alerts = new AlertList('en');
    for (let id = 1; id <= 500; id++) alerts.addReports([report(id, 'garbage'), report(id, 'garbage', 'closed', 1)]);
    alerts.addReports([report(501, 'garbage')]);
    alerts.addCameraEvents([cameraEvent('camera-offline', 1, 'cam-00004'), cameraEvent('camera-online', 0, 'cam-00004')]);
    expect(alerts.remembered).toBe(502);
    alerts.all(now + 9 * 60_000);
    expect(alerts.remembered, 'within the replay window every version is kept').toBe(502);
    alerts.all(now + 12 * 60_000);
    expect(alerts.remembered, 'only the open report is remembered').toBe(1);
    expect(alerts.all(now + 12 * 60_000).map((a) => a.id)).toEqual(['report-501']);
  });

  it('raises a case past its SLA (督办) as critical until it is answered, keeping the newest version only', () => {
    const alerts = new AlertList('zh-CN');
    const incident = (version: number, status: Incident['status'], supervisedAt: string | null): Incident => ({
      id: 7, source: 'report', sourceRef: '1001', category: 'manhole', categoryZh: '井盖缺失', categoryEn: 'Missing manhole cover', agency: 'city', departmentId: 'municipal-utilities',
      severity: 2, status, statusNote: null, description: '<b>井盖</b>', lon: 84.9, lat: 45.6, districtId: 'd-02', cellId: 'cell-001-001', reportedAt: new Date(now - 3 * 3_600_000).toISOString(),
      dueAt: new Date(now - 3_600_000).toISOString(), updatedAt: new Date(now).toISOString(), version, possibleDuplicateOf: null, duplicateOf: null, supervisedAt,
    });
    alerts.addIncidents([incident(1, 'registered', null)]);
    expect(alerts.all(now)).toEqual([]);
    expect(alerts.remembered, 'a case never overdue is not remembered').toBe(0);
    alerts.addIncidents([incident(2, 'registered', new Date(now).toISOString())]);
    expect(alerts.items(now).map((a) => [a.id, a.title, a.severity, a.source, a.description])).toEqual([['incident-7-overdue', '督办 · 井盖缺失', 4, 'supervision', '<b>井盖</b>']]);
    alerts.addIncidents([incident(3, 'answered', new Date(now).toISOString())]);
    alerts.addIncidents([incident(2, 'registered', new Date(now).toISOString())]);
    expect(alerts.all(now), 'answered, and an older snapshot does not bring it back').toEqual([]);
  });

  it('counts open reports per grid cell and knows which sites have a camera offline', () => {
    const alerts = new AlertList('en');
    alerts.addReports([report(1001, 'garbage'), report(1002, 'noise')]);
    alerts.addCameraEvents([cameraEvent('camera-offline', 1, 'cam-00009'), cameraEvent('accident', 1)]);
    expect(basemapStates(alerts.all(now))).toEqual({ openReportsByCell: new Map([['cell-001-001', 2]]), offlineSites: new Set(['site-0001']) });
  });

  it('marks minor reports only while new; their cells keep counting them', () => {
    const alerts = new AlertList('en');
    const old = { ...report(1001, 'garbage'), requestedAt: new Date(now - 45 * 60_000).toISOString() };
    alerts.addReports([old, report(1002, 'safety-hazard'), report(1003, 'noise')]);
    expect(alerts.items(now).map((a) => a.id)).toEqual(['report-1002', 'report-1003']);
    expect(basemapStates(alerts.all(now)).openReportsByCell.get('cell-001-001')).toBe(3);
  });

  it('shows a geofence alert until it is cleared, acknowledged or not, and ignores an older version', () => {
    const alerts = new AlertList('zh-CN');
    const fenceAlert = (version: number, state: GeofenceAlert['state']): GeofenceAlert => ({
      id: 7, geofenceId: 1, geofenceName: '学校周边', entityId: 'taxi-0001', entityLabel: '新J T0001', entityKind: 'taxi', event: 'exit',
      at: new Date(now).toISOString(), lon: 84.9, lat: 45.6, severity: 2, state, assignedTo: null, version, repeats: 0, lastAt: new Date(now).toISOString(),
    });
    alerts.addGeofenceAlerts([fenceAlert(1, 'new')]);
    expect(alerts.all(now).map((a) => [a.id, a.source, a.title, a.description])).toEqual([['geofence-7', 'geofence', '离开 · 学校周边', '新J T0001']]);
    alerts.addGeofenceAlerts([fenceAlert(2, 'acknowledged')]);
    expect(alerts.all(now)).toHaveLength(1);
    alerts.addGeofenceAlerts([fenceAlert(3, 'cleared')]);
    alerts.addGeofenceAlerts([fenceAlert(2, 'acknowledged')]);
    expect(alerts.all(now), 'cleared, and a late older version does not bring it back').toEqual([]);
  });

  it('shows an emergency warning at the middle of its area, once, until it ages off', () => {
    const alerts = new AlertList('en');
    const warning = { id: 3, message: 'Flood: keep off low roads', severity: 4, area: { type: 'Polygon', coordinates: [[[84, 45], [86, 45], [86, 47], [84, 47], [84, 45]]] }, issuedAt: new Date(now).toISOString() } as Warning;
    alerts.addWarnings([warning]);
    alerts.addWarnings([warning]);
    expect(alerts.items(now).map((a) => [a.id, a.source, a.title, a.description, a.lon, a.lat, a.severity])).toEqual([['warning-3', 'warning', 'Emergency warning', 'Flood: keep off low roads', 85, 46, 4]]);
    expect(alerts.items(now)[0]!.area).toEqual(warning.area.coordinates);
    expect(alerts.all(now + 3 * 3_600_000)).toEqual([]);
  });
});
