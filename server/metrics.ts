import { Subject, type Observable } from 'rxjs';
import type { FeedCount } from '../geo/index.ts';

/** Counters and gauges in Prometheus' text format, for GET /metrics. */
const definitions = {
  onescreen_ingest_accepted_total: { type: 'counter', help: 'Inputs accepted, by source.' },
  onescreen_ingest_rejected_total: { type: 'counter', help: 'Inputs refused or dropped, by source and reason.' },
  onescreen_feed_quality_issues_total: { type: 'counter', help: 'Accepted input that broke a feed quality rule, by source and rule (GTFS-RT: the MobilityData validator codes).' },
  onescreen_positions_late_total: { type: 'counter', help: 'Fixes older than the entity’s latest: kept in history only.' },
  onescreen_positions_joined_total: { type: 'counter', help: 'Entities moved by a tick (an entity with several fixes in one tick counts once).' },
  onescreen_ingest_shed_total: { type: 'counter', help: 'Inputs refused for now (503, Retry-After) or skipped (GTFS-RT polls) because the core was behind or the log full, by source and reason.' },
  onescreen_ingest_backlog_events: { type: 'gauge', help: 'Accepted events not yet applied to the database.' },
  onescreen_ingest_backlog_seconds: { type: 'gauge', help: 'How long the oldest accepted, unapplied event has waited, s.' },
  onescreen_ingest_partitions_held: { type: 'gauge', help: 'Partitions of the JetStream ingest bus this node processes (NATS_URL set).' },
  onescreen_ingest_log_bytes: { type: 'gauge', help: 'Bytes in the ingest log on disk.' },
  onescreen_ingest_log_fsyncs_total: { type: 'counter', help: 'fsyncs of the ingest log (each acknowledges every event appended with it).' },
  onescreen_ingest_log_fsync_seconds_total: { type: 'counter', help: 'Time spent in fsyncs of the ingest log, s.' },
  onescreen_ticks_total: { type: 'counter', help: 'Ticks applied (one transaction each).' },
  onescreen_tick_seconds_total: { type: 'counter', help: 'Time spent in tick transactions, s.' },
  onescreen_event_loop_lag_seconds: { type: 'gauge', help: 'Event loop delay since the last scrape, s, by quantile.' },
  onescreen_process_memory_bytes: { type: 'gauge', help: 'The server process’s memory, bytes, by kind: rss, heap-used, heap-total, external, array-buffers.' },
  onescreen_write_failures_total: { type: 'counter', help: 'Failed writes of a tick (retried, never dropped).' },
  onescreen_write_timeouts_total: { type: 'counter', help: 'Writes of a tick cancelled past STATEMENT_TIMEOUT_MS (written again in halves, later ticks smaller).' },
  onescreen_ingest_set_aside_total: { type: 'counter', help: 'Accepted items the database refused as data, by pipeline: kept in set_aside_items, the rest of their tick written.' },
  onescreen_ingest_last_accepted_seconds: { type: 'gauge', help: 'When each source last had input accepted, seconds since 1970.' },
  onescreen_socket_clients: { type: 'gauge', help: 'Connected Socket.IO clients.' },
  onescreen_replays: { type: 'gauge', help: 'Replays of the city playing on this node (at most 20).' },
  onescreen_socket_rejected_total: { type: 'counter', help: 'Socket requests refused, by event and reason.' },
  onescreen_warning_deliveries_total: { type: 'counter', help: 'Emergency warnings posted to the webhook, by result: delivered, retry, failed.' },
  onescreen_incidents_overdue_total: { type: 'counter', help: 'Incidents found past their SLA and raised for supervision (督办).' },
  onescreen_http_refused_total: { type: 'counter', help: 'HTTP requests refused by sign-in, permission, origin, CSRF or rate checks, by reason.' },
  onescreen_sign_ins_total: { type: 'counter', help: 'Sign-ins, by result.' },
  onescreen_position_frames_total: { type: 'counter', help: 'Position frames per client: sent, or deferred (client busy; its changes conflate into the next).' },
} as const;

export type MetricName = keyof typeof definitions;
type Labels = Record<string, string>;

export function createMetrics() {
  const values = new Map<MetricName, Map<string, number>>();
  const key = (labels: Labels) =>
    Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => `${name}="${value.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
      .join(',');
  const series = (name: MetricName) => values.get(name) ?? values.set(name, new Map()).get(name)!;
  // Every ingest outcome passes through here: the posture boards count them per minute and live.
  const ingest = new Subject<FeedCount>();
  const collectors: (() => void)[] = [];
  return {
    /** Runs `collect` before each render: gauges read at scrape time. */
    onRender(collect: () => void): void {
      collectors.push(collect);
    },
    /** Each input accepted or refused, as it is counted. */
    ingestCounts: ingest.asObservable() as Observable<FeedCount>,
    count(name: MetricName, labels: Labels = {}, by = 1): void {
      const s = series(name);
      s.set(key(labels), (s.get(key(labels)) ?? 0) + by);
      if (name === 'onescreen_ingest_rejected_total') ingest.next({ source: labels.source ?? 'unknown', outcome: labels.reason ?? 'unknown', receivedAt: Date.now(), count: by });
    },
    set(name: MetricName, labels: Labels, value: number): void {
      series(name).set(key(labels), value);
    },
    /** Counts accepted input and notes when, for feed freshness. */
    accepted(source: string, by = 1): void {
      if (by <= 0) return;
      this.count('onescreen_ingest_accepted_total', { source }, by);
      this.set('onescreen_ingest_last_accepted_seconds', { source }, Date.now() / 1000);
      ingest.next({ source, outcome: 'accepted', receivedAt: Date.now(), count: by });
    },
    /** Counts input that was taken but broke a quality rule: on /metrics and on the feeds board. */
    quality(source: string, rule: string, by = 1): void {
      if (by <= 0) return;
      this.count('onescreen_feed_quality_issues_total', { source, rule }, by);
      ingest.next({ source, outcome: `quality:${rule}`, receivedAt: Date.now(), count: by });
    },
    value(name: MetricName, labels: Labels = {}): number {
      return values.get(name)?.get(key(labels)) ?? 0;
    },
    render(): string {
      for (const collect of collectors) collect();
      return Object.entries(definitions)
        .flatMap(([name, { type, help }]) => [
          `# HELP ${name} ${help}`,
          `# TYPE ${name} ${type}`,
          ...[...(values.get(name as MetricName) ?? new Map<string, number>())].map(([labels, value]) => `${name}${labels ? `{${labels}}` : ''} ${value}`),
        ])
        .join('\n')
        .concat('\n');
    },
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
