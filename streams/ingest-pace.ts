// How far behind the ingest bus's consumer is: when events were appended, and how fast the
// consumer applies them when it writes.

// How often the time an event was appended is noted, for the seconds behind, ms.
const markEveryMs = 100;
// The writes the consumer's speed is judged by: its latest ones, of at least a hundred events (a
// write's fixed cost would make a few events look slow: a quiet night is not a slow consumer).
const writesKept = 20;
const minEventsPerWrite = 100;

/** When events were appended, noted at most every 100 ms: enough to say how far behind the consumer is. */
export class AppendMarks {
  private marks: { seq: number; at: number }[] = [];

  note(seq: number, at: number): void {
    const last = this.marks.at(-1);
    if (!last || at - last.at >= markEveryMs) this.marks.push({ seq, at });
  }

  /** When `seq` was appended, or a little before. */
  timeOf(seq: number): number {
    let time = this.marks[0]?.at ?? 0;
    for (const mark of this.marks) {
      if (mark.seq > seq) break;
      time = mark.at;
    }
    return time;
  }

  dropBefore(seq: number): void {
    let drop = 0;
    while (drop + 1 < this.marks.length && this.marks[drop + 1]!.seq <= seq) drop += 1;
    if (drop > 0) this.marks.splice(0, drop);
  }
}

/**
 * Events per second of the consumer's write time, over its latest writes: how long a backlog will
 * take to apply. Write time, not wall time: a consumer idle between ticks is not a slow one.
 */
export class ApplySpeed {
  private readonly writes: { events: number; ms: number }[] = [];
  private events = 0;
  private ms = 0;
  private running: { events: number; at: number } | undefined;

  /** A write of `events` began at `at` (ms). */
  started(events: number, at: number): void {
    this.running = events >= minEventsPerWrite ? { events, at } : undefined;
  }

  note(events: number, ms: number): void {
    this.running = undefined;
    if (events < minEventsPerWrite) return;
    this.writes.push({ events, ms });
    this.events += events;
    this.ms += ms;
    if (this.writes.length > writesKept) {
      const dropped = this.writes.shift()!;
      this.events -= dropped.events;
      this.ms -= dropped.ms;
    }
  }

  /**
   * Seconds the consumer needs for `backlog` events at `now`; 0 before it has written any. A write
   * still running has gone no faster than its events over its time so far, so what waits behind it
   * takes at least that long: the first slow write counts before it ends.
   */
  secondsFor(backlog: number, now: number): number {
    const measured = this.events > 0 ? (backlog * this.ms) / this.events / 1000 : 0;
    const behindRunning = this.running ? (Math.max(0, backlog - this.running.events) * (now - this.running.at)) / this.running.events / 1000 : 0;
    return Math.max(measured, behindRunning);
  }
}
