import {
  alarmSourceRef,
  callSourceRef,
  openIncidentsFromCalls,
  createServiceRequest,
  findAlarmIncidents,
  locateAddress,
  openIncidentsFromAlarms,
  openIncidentsFromReports,
  type Incident,
  type Queryable,
  type ServiceRequest,
} from '../geo/index.ts';
import type { AlarmEvent, CallEvent, GridEvent } from './events.ts';

/** Why a report could not be registered: its service is not offered, its place is outside the city, or its address is not found. */
export type ReportRefusal = 'unknown-service' | 'outside-city' | 'unknown-address';

/** What a tick did with reports and alarms: each outcome under the id its sender was given, and the cases opened. */
export interface CaseTick {
  /** Reports registered (or registered before, when applied again), by their token. */
  reports: { token: string; request: ServiceRequest }[];
  refusedReports: { token: string; reason: ReportRefusal }[];
  /** Every alarm applied, by `alarmSourceRef`, with its incident; null when its category opens none. */
  alarms: { ref: string; incidentId: number | null }[];
  /** Every call applied, by `callSourceRef`, with its incident; null when its category is unknown. */
  calls: { ref: string; incidentId: number | null }[];
  /** Incidents opened by this tick's reports, alarms and calls. */
  incidents: Incident[];
}

/**
 * Registers reports (placed by their point or address, given to their department) and opens
 * their cases, and opens the alarms' cases. Idempotent: a report's token and an alarm's case
 * number register once however often the tick is applied.
 */
export async function applyCaseIntake(tx: Queryable, reports: readonly GridEvent[], alarms: readonly AlarmEvent[], calls: readonly CallEvent[] = []): Promise<CaseTick> {
  const tick: CaseTick = { reports: [], refusedReports: [], alarms: [], calls: [], incidents: [] };
  for (const report of reports) {
    const at = report.lon !== null && report.lat !== null ? ([report.lon, report.lat] as const) : await locateAddress(tx, report.address ?? '');
    const request = at ? await createServiceRequest(tx, { ...report, at: [at[0], at[1]], requestedAt: report.eventTime }) : 'unknown-address';
    if (typeof request === 'string') tick.refusedReports.push({ token: report.token, reason: request });
    else tick.reports.push({ token: report.token, request });
  }
  if (tick.reports.length > 0) tick.incidents.push(...(await openIncidentsFromReports(tx, tick.reports.map(({ request }) => request.id))));
  if (alarms.length > 0) {
    tick.incidents.push(...(await openIncidentsFromAlarms(tx, alarms)));
    const incidentOf = await findAlarmIncidents(tx, alarms.map(alarmSourceRef));
    tick.alarms = alarms.map((alarm) => ({ ref: alarmSourceRef(alarm), incidentId: incidentOf.get(alarmSourceRef(alarm)) ?? null }));
  }
  if (calls.length > 0) {
    tick.incidents.push(...(await openIncidentsFromCalls(tx, calls)));
    const incidentOf = await findAlarmIncidents(tx, calls.map(callSourceRef), 'call');
    tick.calls = calls.map((call) => ({ ref: callSourceRef(call), incidentId: incidentOf.get(callSourceRef(call)) ?? null }));
  }
  return tick;
}
