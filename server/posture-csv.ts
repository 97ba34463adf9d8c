import type { PostureBoard, PostureSnapshot } from '../streams/index.ts';

type Row = [figure: string, key: string, value: string | number | null];
type Snapshot = Required<PostureSnapshot>;

/** Rows of a series over the window's buckets, keyed by each bucket's start. */
const series = (figure: string, snapshot: PostureSnapshot, values: readonly (number | null)[]): Row[] => values.map((value, i) => [figure, snapshot.window.buckets[i]!, value]);

// One row per figure, named as the boards and geo/posture*.ts name them.
const boardRows: { [board in PostureBoard]: (snapshot: Snapshot) => Row[] } = {
  cases: ({ cases }) => [
    ['cases', 'opened', cases.opened],
    ['cases', 'closed', cases.closed],
    ['cases', 'open now', cases.openNow],
    ['cases', 'overdue now', cases.overdueNow],
    ['handling', 'closed', cases.handling.closed],
    ['handling', 'mean minutes', cases.handling.meanMinutes],
    ['handling', 'mean SLA minutes', cases.handling.meanSlaMinutes],
    ['handling', 'on-time share', cases.handling.onTimeShare],
    ...cases.byCategory.map((c): Row => ['opened by category', c.category, c.opened]),
    ...cases.byDistrict.map((d): Row => ['opened by district', d.districtId ?? 'none', d.opened]),
    ...cases.topCells.map((c): Row => ['top grid cells', c.cellId, c.opened]),
  ],
  units: ({ units }) => [
    ...units.force.map((f): Row => ['force', `${f.districtId ?? 'none'} ${f.agency} ${f.duty}`, f.units]),
    ...units.coverage.agencies.flatMap((a): Row[] => [
      [`coverage ${a.agency}`, 'available units', a.units],
      [`coverage ${a.agency}`, 'grid cells', a.cells],
      [`coverage ${a.agency}`, `cells within ${units.coverage.minutes} min`, a.covered],
      [`coverage ${a.agency}`, 'share', a.share],
      [`coverage ${a.agency}`, 'median seconds', a.medianS],
      ...a.byDistrict.map((d): Row => [`coverage ${a.agency} by district`, d.districtId, d.cells === 0 ? null : d.covered / d.cells]),
    ]),
  ],
  traffic: ({ traffic }) => [
    ['traffic', 'congestion index', traffic.index],
    ['traffic', 'detector records', traffic.readings],
    ...traffic.byDistrict.map((d): Row => ['congestion index by district', d.districtId, d.index]),
    ...traffic.slowestSegments.map((s): Row => ['slowest segments (speed share of free flow)', `${s.segmentId} ${s.nameEn}`, s.speedShare]),
    ['cameras', 'total', traffic.cameras.total],
    ['cameras', 'online', traffic.cameras.online],
    ['cameras', 'online share', traffic.cameras.share],
    ...traffic.cameras.byDistrict.map((d): Row => ['cameras online by district', d.districtId, d.online]),
  ],
  buses: ({ buses }) => [
    ['buses', 'reports with a delay', buses.observations],
    ['buses', 'on-time share', buses.onTimeShare],
    ['buses', 'mean delay seconds', buses.meanDelayS],
    ['buses', 'bunching events', buses.bunchingEvents],
    ['buses', 'trips over 15 min late', buses.lateTrips],
    ['buses', 'in service now', buses.inServiceNow],
    ['buses', 'bunched now', buses.bunchedNow],
    ...buses.byRoute.flatMap((r): Row[] => [
      ['on-time share by route', r.routeId, r.onTimeShare],
      ['mean delay seconds by route', r.routeId, r.meanDelayS],
      ['bunching events by route', r.routeId, r.bunchingEvents],
    ]),
  ],
  feeds: ({ feeds }) => [
    ...feeds.bySource.flatMap((f): Row[] => [
      ['accepted', f.source, f.accepted],
      ['rejected', f.source, f.rejected],
    ]),
    ...feeds.rejectsByReason.map((r): Row => ['rejected by reason', `${r.source} ${r.reason}`, r.count]),
    ...feeds.qualityByRule.map((q): Row => ['quality issues by rule', `${q.source} ${q.rule}`, q.count]),
    ...feeds.live.map((f): Row => ['accepted per minute now', f.source, f.acceptedPerMin]),
    ...feeds.status.map((f): Row => ['stale now', f.feed, f.stale ? 1 : 0]),
  ],
};

// A board's series over time, where it has one.
const boardSeries: Partial<{ [board in PostureBoard]: (snapshot: Snapshot) => Row[] }> = {
  cases: (snapshot) => series('opened per bucket', snapshot, snapshot.cases.byBucket),
  traffic: (snapshot) => series('congestion index per bucket', snapshot, snapshot.traffic.byBucket),
  buses: (snapshot) => series('on-time share per bucket', snapshot, snapshot.buses.byBucket),
  feeds: (snapshot) => snapshot.feeds.byBucket.flatMap((s) => series(`accepted per bucket: ${s.source}`, snapshot, s.accepted)),
};

/** A board as CSV, one figure per row (figure, key, value): what an official pastes into a report. */
export function postureCsv(board: PostureBoard, snapshot: PostureSnapshot): string {
  const { query, window } = snapshot;
  const rows: Row[] = [
    ['window', 'range', query.range],
    ['window', 'from', window.from],
    ['window', 'to', window.to],
    ['window', 'district', query.districtId ?? 'all'],
    ['window', 'grid cell', query.cellId ?? 'all'],
    ['window', snapshot.replayed ? 'as it was at' : 'read at', snapshot.at],
    ...boardRows[board](snapshot as Snapshot),
    ...(boardSeries[board]?.(snapshot as Snapshot) ?? []),
  ];
  return toCsv(['figure', 'key', 'value'], rows);
}

/**
 * Rows as CSV (RFC 4180, CRLF). Text is quoted, so a spreadsheet reads nothing into ids, names
 * and times; text a spreadsheet would run as a formula (=, +, -, @ first) gets a leading ' (OWASP).
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  const quote = (value: string | number | boolean | null) => {
    if (value === null) return '';
    if (typeof value !== 'string') return String(value);
    const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
    return `"${safe.replace(/"/g, '""')}"`;
  };
  return [header.join(','), ...rows.map((row) => row.map(quote).join(','))].join('\r\n') + '\r\n';
}
