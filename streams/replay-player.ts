import type { AuditRecord, CityAt, CityChanges, EntityKind, GeofenceAlert, Incident, JoinedCameraEvent, SegmentTraffic, ServiceRequest, Warning } from '../geo/index.ts';
import { Pending } from './replay-pending.ts';
import { FrameCursor, LivePositionTable } from './position-frames.ts';
import type { PostureSnapshot } from './posture-snapshot.ts';
import type { LiveAssignment, PositionFrame, ReplayClock } from './socket-contract.ts';

/** Where a replay reads the city's past (geo/replay-reads.ts, bound to a database and the kinds the viewer may see). */
export interface ReplayReads {
  cityAt(atMs: number): Promise<CityAt>;
  cityChanges(fromMs: number, toMs: number): Promise<CityChanges>;
  /** The posture boards the screen watches, at a moment; null when it watches none. */
  boardsAt(atMs: number): Promise<PostureSnapshot | null>;
}

/** Where a replay's screen gets what it shows: the live screens' messages, plus the clock. */
export interface ReplaySink {
  /** Whether the connection can take a frame now; if not, the changes wait for the next one (as live). */
  writable(): boolean;
  positions(frame: PositionFrame): void;
  incidents(incidents: Incident[]): void;
  reports(reports: ServiceRequest[]): void;
  assignments(assignments: LiveAssignment[]): void;
  warnings(warnings: Warning[]): void;
  geofenceAlerts(alerts: GeofenceAlert[]): void;
  traffic(segments: SegmentTraffic[]): void;
  cameraEvents(events: JoinedCameraEvent[]): void;
  boards(snapshot: PostureSnapshot): void;
  /** Lines of the audit log, oldest first. */
  audit(entries: AuditRecord[]): void;
  clock(clock: ReplayClock): void;
  /** A read of the past failed: the replay is paused; say so and what to do. */
  failed(message: string): void;
}

export const replaySpeeds = { min: 1, max: 120 };
// A frame every 40 ms (25 a second) while playing, on a fixed beat (the time a step takes is not
// added to the wait); the clock to the screen 4 times a second.
const frameMs = 40;
const clockMs = 250;
// History is read ahead of the clock in pieces of this many seconds of playing, 10 s of the past
// at least, and as many fixes at most as the last piece suggests fit (a megacity's ×120 would
// otherwise hold millions of fixes a piece; its ×60's first piece, 1.1 million, ran past the
// statement timeout).
const readAheadPlayMs = 2_000;
const minReadMs = 10_000;
const maxFixesPerRead = 100_000;
// A replay this close behind the present has caught up with it, ms.
const caughtUpMs = 2_000;
// The posture boards are read again at most this often while the clock moves (they move by the minute), ms.
const boardsEveryMs = 1_000;

/**
 * One screen's replay: its own view of the city (a position table and a frame cursor of its own,
 * never the live ones) moved by history on a clock that runs at ×1–×120 from any moment. Frames are
 * cut as live ones are, so the screen has one code path. It only reads: no rule runs, nothing is
 * written. History is read ahead of the clock a piece at a time; if a read is late the clock waits
 * for it (and says so) rather than skip what happened.
 */
export class ReplayPlayer {
  private table = new LivePositionTable();
  private cursor: FrameCursor;
  private at = 0;
  private speed = 1;
  private playing = false;
  private waiting = false;
  /** History up to here is read (into `pending`). */
  private readTo = 0;
  private reading: Promise<void> | undefined;
  private pending = new Pending();
  /** Fixes a millisecond of the past, as the last piece read had them. */
  private fixesPerMs = 0;
  /** Rises with every seek: reads begun for an earlier one are dropped. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastStep = 0;
  private lastClock = 0;
  private lastBoards = 0;
  // Asked for while a read was under way (a seek, or the clock moved on): read again once it ends.
  private boardsAgain = false;
  private readingBoards = false;

  constructor(
    private readonly reads: ReplayReads,
    private readonly kinds: ReadonlySet<EntityKind>,
    private readonly sink: ReplaySink,
    private readonly now: () => number = Date.now,
  ) {
    this.cursor = new FrameCursor(this.table, kinds);
  }

  get clock(): ReplayClock {
    return { at: this.at, speed: this.speed, playing: this.playing, waiting: this.waiting };
  }

  /** Shows the city at `atMs` (a keyframe and everything going on then), then plays from there if asked. */
  async seek(atMs: number, speed: number, playing: boolean): Promise<void> {
    this.stopTimer();
    const generation = ++this.generation;
    this.at = Math.min(atMs, this.now());
    this.speed = speed;
    this.playing = false;
    const state = await this.reads.cityAt(this.at);
    if (generation !== this.generation) return;
    this.table = new LivePositionTable();
    this.cursor = new FrameCursor(this.table, this.kinds);
    this.table.apply(state.positions);
    this.pending = new Pending();
    this.readTo = this.at;
    this.reading = undefined;
    this.sink.clock({ ...this.clock, reset: true });
    this.sink.positions(this.cursor.nextFrame(this.at)!);
    this.sink.incidents(state.incidents);
    this.sink.reports(state.reports);
    this.sink.assignments(state.assignments.map(unrouted));
    this.sink.warnings(state.warnings);
    this.sink.geofenceAlerts(state.geofenceAlerts);
    this.sink.traffic(state.traffic);
    this.sink.cameraEvents(state.cameraEvents);
    this.sink.audit(state.audit);
    this.readBoards();
    this.setPlaying(playing);
  }

  setSpeed(speed: number): void {
    this.speed = speed;
    this.sendClock();
  }

  setPlaying(playing: boolean): void {
    const wasPlaying = this.playing;
    this.playing = playing && this.at < this.now();
    this.stopTimer();
    this.sendClock();
    if (wasPlaying && !this.playing) this.readBoards();
    if (this.playing) {
      this.lastStep = this.now();
      this.readAhead();
      this.timer = setTimeout(() => this.step(), frameMs);
    }
  }

  /** Moves a paused replay on by `ms` of the past (a step), showing what happened meanwhile. */
  async stepBy(ms: number): Promise<void> {
    this.setPlaying(false);
    const target = Math.min(this.at + ms, this.now());
    const generation = this.generation;
    await this.reading;
    if (this.readTo < target && generation === this.generation) await this.read(target);
    if (generation !== this.generation) return;
    this.show(target);
    this.sendClock();
    this.readBoards();
  }

  /** Stops the clock for good (the screen went back to live or away). */
  stop(): void {
    this.generation += 1;
    this.stopTimer();
    this.playing = false;
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private step(): void {
    const generation = this.generation;
    const now = this.now();
    const target = Math.min(this.at + (now - this.lastStep) * this.speed, now);
    this.lastStep = now;
    // A late read holds the clock where history is read to: the screen waits rather than skip.
    this.waiting = target > this.readTo;
    this.show(Math.min(target, this.readTo));
    this.readAhead();
    // Caught up with the present (what is read reaches it but for the last read's time): the replay pauses there.
    if (target >= now && this.readTo >= now - caughtUpMs) {
      this.waiting = false;
      this.playing = false;
    }
    if (now - this.lastClock >= clockMs || !this.playing) this.sendClock();
    if (now - this.lastBoards >= boardsEveryMs || !this.playing) this.readBoards();
    if (this.playing && generation === this.generation) this.timer = setTimeout(() => this.step(), Math.max(0, frameMs - (this.now() - now)));
  }

  /** Applies what happened up to `target` to this screen's view and sends it. */
  private show(target: number): void {
    this.at = Math.max(this.at, target);
    const { pending, sink } = this;
    // What else happened meanwhile goes out in the order it happened, each after a frame of the
    // fixes taken before it: a unit reaching the scene before its case turns to "handling" does so on screen too.
    const happened = [
      ...pending.incidents.take(this.at).map(({ at, value }) => ({ at, send: () => sink.incidents([value]) })),
      ...pending.reports.take(this.at).map(({ at, value }) => ({ at, send: () => sink.reports([value]) })),
      ...pending.assignments.take(this.at).map(({ at, value }) => ({ at, send: () => sink.assignments([value]) })),
      ...pending.warnings.take(this.at).map(({ at, value }) => ({ at, send: () => sink.warnings([value]) })),
      ...pending.geofenceAlerts.take(this.at).map(({ at, value }) => ({ at, send: () => sink.geofenceAlerts([value]) })),
      ...pending.cameraEvents.take(this.at).map(({ at, value }) => ({ at, send: () => sink.cameraEvents([value]) })),
    ].sort((a, b) => a.at - b.at);
    for (const { at, send } of happened) {
      this.sendFixes(at);
      send();
    }
    // Congestion changes by the minute, and the audit log is read as a list: the span's lines go together, oldest first.
    const traffic = pending.traffic.take(this.at);
    if (traffic.length > 0) sink.traffic(traffic.map((past) => past.value));
    const audit = pending.audit.take(this.at);
    if (audit.length > 0) sink.audit(audit.map((past) => past.value));
    this.sendFixes(this.at);
  }

  /** Takes the fixes up to `until` into this screen's view and sends them as a frame, if the connection can take one. */
  private sendFixes(until: number): void {
    this.cursor.markChanged(this.table.apply(this.pending.fixes.take(until)));
    if (this.cursor.hasPending && this.sink.writable()) this.sink.positions(this.cursor.nextFrame(this.at)!);
  }

  /** Reads the next piece of history when the clock comes near the end of what is read; one read at a time. */
  private readAhead(): void {
    // Until a piece has been read, how many fixes the past holds is unknown: the first piece is the least.
    const span = this.fixesPerMs === 0 ? minReadMs : Math.max(minReadMs, Math.min(this.speed * readAheadPlayMs, maxFixesPerRead / this.fixesPerMs));
    if (!this.reading && this.readTo - this.at <= span / 2 && this.readTo < this.now()) void this.read(this.readTo + span);
  }

  /** Reads history from where it is read to up to `toMs` (not past now). */
  private read(toMs: number): Promise<void> {
    const generation = this.generation;
    const { pending } = this;
    const [from, to] = [this.readTo, Math.min(toMs, this.now())];
    this.reading = this.reads.cityChanges(from, to).then(
      (changes) => {
        if (generation !== this.generation) return;
        this.reading = undefined;
        this.readTo = to;
        if (to > from) this.fixesPerMs = changes.fixes.length / (to - from);
        pending.fixes.add(changes.fixes);
        pending.incidents.add(changes.incidents);
        pending.reports.add(changes.reports);
        pending.assignments.add(changes.assignments.map((past) => ({ at: past.at, value: unrouted(past.value) })));
        pending.warnings.add(changes.warnings);
        pending.geofenceAlerts.add(changes.geofenceAlerts);
        pending.traffic.add(changes.traffic);
        pending.cameraEvents.add(changes.cameraEvents);
        pending.audit.add(changes.audit);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.reading = undefined;
        this.stop();
        this.sink.failed(`the city's history could not be read (${error instanceof Error ? error.message : String(error)}); pick the moment again to retry`);
      },
    );
    return this.reading;
  }

  /** Reads the watched boards at the clock and sends them; one read at a time, and the clock's latest moment read after it. */
  private readBoards(): void {
    if (this.readingBoards) return void (this.boardsAgain = true);
    const generation = this.generation;
    this.readingBoards = true;
    this.lastBoards = this.now();
    this.reads.boardsAt(this.at).then(
      (snapshot) => snapshot && generation === this.generation && this.sink.boards(snapshot),
      // The boards are secondary to the picture: a failed read leaves the last ones until the next.
      () => undefined,
    ).finally(() => {
      this.readingBoards = false;
      // A paused screen that jumped while the last read was under way asks nothing more itself.
      if (this.boardsAgain) (this.boardsAgain = false), this.readBoards();
    });
  }

  private sendClock(): void {
    this.lastClock = this.now();
    this.sink.clock(this.clock);
  }
}

// A replayed assignment has the route and ETA it was sent with; the live ETA on the way is not kept.
const unrouted = (assignment: CityAt['assignments'][number]): LiveAssignment => ({ ...assignment, liveEtaS: null });
