import { Observable, Subject } from 'rxjs';
import type { CityEvent } from './events.ts';
import { AppendMarks, ApplySpeed } from './ingest-pace.ts';
import { IngestLog, type LogRecord } from './ingest-log.ts';

/**
 * The one way in for every feed. `publish` resolves once the events are durable and rejects with
 * `IngestRefused` when they must be sent again later; `events` hands them on in order, at most a
 * window of them unacknowledged, so a consumer that falls behind leaves the rest on disk. The
 * embedded implementation is a log on local disk; one on NATS JetStream can take its place
 * (message id = event id, a durable consumer with max_ack_pending = the window).
 */
export interface IngestBus {
  publish(events: readonly CityEvent[]): Promise<void>;
  /** Events after `afterSeq`, in order; one consumer at a time. Completes once closed and all handed on. */
  events(afterSeq: number): Observable<LogRecord<CityEvent>>;
  /**
   * Everything through `seq` is applied (committed by the consumer); a failing consumer works again.
   * `writeMs`, how long the write that applied them took, tells the bus how fast its consumer goes.
   */
  acknowledge(seq: number, writeMs?: number): void;
  /** The consumer began a write of `events` events: while it runs, its time so far says how fast it goes at most. */
  writeStarted(events: number): void;
  /**
   * The consumer could not write (its database is not answering). Until it has caught up within the
   * backlog bounds again, the bus takes events up to its disk cap: an outage and the drain after it
   * are ridden out on disk, not refused.
   */
  consumerFailed(): void;
  /** Each group of events as it becomes durable, with no replay and no acknowledgement: for screens, ahead of a consumer that is behind. */
  live(): Observable<readonly LogRecord<CityEvent>[]>;
  /** Everything through `seq` is durable downstream too: the bus may forget it. */
  release(seq: number): Promise<void>;
  /** Resolves once every event durable at the call has been acknowledged. */
  caughtUp(): Promise<void>;
  status(): IngestBusStatus;
  /** Refuses new events, waits for appends in flight, closes. */
  close(): Promise<void>;
}

export interface IngestBusStatus {
  /** The last durable event's number. */
  lastSeq: number;
  /** The last event the consumer acknowledged. */
  appliedSeq: number;
  /** Durable or being written, not yet applied. */
  backlogEvents: number;
  /**
   * How far behind the consumer is, s: the longest of how long the oldest unapplied event has
   * waited, how long the backlog will take at the speed of the consumer's recent writes, and how
   * long the events behind a write still running take at no more than its speed so far.
   */
  backlogSeconds: number;
  logBytes: number;
  /** fsyncs of the log so far, and the time they took, ms. */
  fsyncs: { count: number; totalMs: number };
  /** Riding out an outage: the consumer's write failed and it has not caught up within the bounds since. */
  outage: boolean;
}

export type IngestRefusal = 'overloaded' | 'log-full' | 'stopped' | 'unavailable';

/** What a pipeline needs of a bus to consume it. */
export type ConsumedBus = Pick<IngestBus, 'events' | 'acknowledge' | 'writeStarted' | 'consumerFailed'>;

/** Events the bus did not take; the sender should try again after `retryAfterS`. */
export class IngestRefused extends Error {
  override name = 'IngestRefused';
  constructor(
    readonly reason: IngestRefusal,
    message: string,
    readonly retryAfterS: number,
  ) {
    super(message);
  }
}
export function isIngestRefused(error: unknown): error is IngestRefused {
  return error instanceof IngestRefused;
}

export interface LocalIngestBusOptions {
  dir: string;
  /** The last event the database applied before this start. */
  appliedSeq: number;
  /** Refuse new events while this many wait to be applied… */
  maxBacklogEvents: number;
  /** …or while it is this far behind, s (see `IngestBusStatus.backlogSeconds`). */
  maxBacklogSeconds: number;
  /** Refuse new events while the log holds this many bytes. */
  maxLogBytes: number;
  /** Events handed to the consumer and not yet acknowledged, at most. */
  window?: number;
  segmentBytes?: number;
  now?: () => number;
}

const defaultWindow = 20_000;

/** The embedded ingest bus: an append-only log in `dir` with group commit. */
export async function openLocalIngestBus(options: LocalIngestBusOptions): Promise<IngestBus> {
  const now = options.now ?? Date.now;
  const window = options.window ?? defaultWindow;
  // Records appended and not yet handed on, kept while they fit the window; past it, read from disk.
  const recent = new RecentRecords<CityEvent>(window);
  const marks = new AppendMarks();
  const appended = new Subject<readonly LogRecord<CityEvent>[]>();
  let wake = () => {};
  const log = await IngestLog.open<CityEvent>(options.dir, { firstSeq: options.appliedSeq + 1, segmentBytes: options.segmentBytes }, (records) => {
    recent.add(records);
    marks.note(records[0]!.seq, now());
    wake();
    appended.next(records);
  });
  let applied = Math.max(options.appliedSeq, log.firstSeq - 1);
  let writing = 0;
  let closed = false;
  let outage = false;
  marks.note(applied + 1, now());
  const waiters: { seq: number; resolve: () => void }[] = [];
  const speed = new ApplySpeed();
  const backlogSeconds = () => {
    if (applied >= log.lastSeq && writing === 0) return 0;
    const waited = applied >= log.lastSeq ? 0 : Math.max(0, now() - marks.timeOf(applied + 1)) / 1000;
    // What was taken in the last seconds may take far longer to apply than it took to arrive.
    return Math.max(waited, speed.secondsFor(log.lastSeq - applied + writing, now()));
  };

  const overBounds = (backlog: number, seconds: number) => backlog >= options.maxBacklogEvents || seconds >= options.maxBacklogSeconds;
  const refuseWhenFull = () => {
    if (closed) throw new IngestRefused('stopped', 'the server is stopping; send again once it is back', 5);
    if (log.bytes >= options.maxLogBytes) {
      throw new IngestRefused('log-full', `the ingest log holds ${log.bytes} bytes, its limit (INGEST_MAX_LOG_BYTES); send again later, or free disk and raise the limit`, 30);
    }
    const backlog = log.lastSeq - applied + writing;
    const seconds = backlogSeconds();
    if (!outage && overBounds(backlog, seconds)) {
      const retryAfterS = Math.min(30, Math.max(1, Math.ceil(seconds)));
      throw new IngestRefused('overloaded', `the server is ${backlog} events (${seconds.toFixed(1)} s) behind, past its limit; send again in ${retryAfterS} s`, retryAfterS);
    }
  };

  return {
    async publish(events) {
      if (events.length === 0) return;
      refuseWhenFull();
      writing += events.length;
      try {
        await log.append(events);
      } finally {
        writing -= events.length;
      }
    },
    events(afterSeq) {
      return new Observable<LogRecord<CityEvent>>((subscriber) => {
        let delivered = Math.max(afterSeq, log.firstSeq - 1);
        let pumping = false;
        const pump = async () => {
          if (pumping) return;
          pumping = true;
          try {
            while (!subscriber.closed && delivered < log.lastSeq && delivered - applied < window) {
              const room = window - Math.max(0, delivered - applied);
              const records = recent.takeFrom(delivered + 1, room) ?? (await log.read(delivered, room));
              if (records.length === 0) break;
              for (const record of records) subscriber.next(record);
              delivered = records.at(-1)!.seq;
              recent.dropThrough(delivered);
            }
            if (closed && delivered >= log.lastSeq) subscriber.complete();
          } catch (error) {
            subscriber.error(error);
          } finally {
            pumping = false;
          }
        };
        wake = () => void pump();
        void pump();
        return () => {
          wake = () => {};
        };
      });
    },
    acknowledge(seq, writeMs) {
      if (seq <= applied) return;
      if (writeMs !== undefined) speed.note(seq - applied, writeMs);
      applied = seq;
      marks.dropBefore(applied + 1);
      if (outage && !overBounds(log.lastSeq - applied, backlogSeconds())) outage = false;
      for (let i = waiters.length - 1; i >= 0; i--) if (waiters[i]!.seq <= applied) waiters.splice(i, 1)[0]!.resolve();
      wake();
    },
    writeStarted: (events) => speed.started(events, now()),
    consumerFailed: () => void (outage = true),
    live: () => appended.asObservable(),
    release: async (seq) => void (await log.trim(Math.min(seq, applied))),
    caughtUp() {
      const seq = log.lastSeq;
      return seq <= applied ? Promise.resolve() : new Promise((resolve) => waiters.push({ seq, resolve }));
    },
    status: () => ({
      lastSeq: log.lastSeq,
      appliedSeq: applied,
      backlogEvents: log.lastSeq - applied + writing,
      backlogSeconds: backlogSeconds(),
      logBytes: log.bytes,
      fsyncs: log.fsyncStats,
      outage,
    }),
    async close() {
      closed = true;
      await log.close();
      appended.complete();
      wake();
    },
  };
}

/** The latest appended records not yet handed on, up to `capacity`; a gap means read from disk. */
class RecentRecords<T> {
  private records: LogRecord<T>[] = [];
  private head = 0;
  constructor(private readonly capacity: number) {}

  add(records: LogRecord<T>[]): void {
    if (this.records.length - this.head + records.length > this.capacity) {
      // Too many waiting: these stay on disk only; a later record after the gap starts afresh.
      this.records = [];
      this.head = 0;
      return;
    }
    for (const record of records) this.records.push(record);
  }

  /** Up to `max` records starting exactly at `seq`, or undefined when they are not all here. */
  takeFrom(seq: number, max: number): LogRecord<T>[] | undefined {
    if (this.records[this.head]?.seq !== seq) return undefined;
    const taken = this.records.slice(this.head, this.head + max);
    this.head += taken.length;
    this.compact();
    return taken;
  }

  dropThrough(seq: number): void {
    while (this.head < this.records.length && this.records[this.head]!.seq <= seq) this.head += 1;
    this.compact();
  }

  private compact(): void {
    if (this.head > 0 && this.head >= this.records.length / 2) {
      this.records = this.records.slice(this.head);
      this.head = 0;
    }
  }
}
