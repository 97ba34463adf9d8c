import { asyncScheduler, catchError, concat, defer, EMPTY, Observable, retry, Subscription, throwError, timer, type OperatorFunction, type SchedulerAction, type SchedulerLike } from 'rxjs';
import { appendAll } from './append.ts';

/**
 * Collects events into one batch per tick; empty ticks emit nothing. An event `flushNow` picks
 * (someone waits on its answer) closes its batch at once instead of at the tick's end, and so does
 * reaching `fullAt()` events: under load a full batch goes on without waiting for the tick.
 */
export function batchPerTick<T>(tickMs: number, scheduler: SchedulerLike = asyncScheduler, flushNow?: (item: T) => boolean, fullAt: () => number = () => Number.POSITIVE_INFINITY): OperatorFunction<T, T[]> {
  return (source) =>
    new Observable<T[]>((subscriber) => {
      let batch: T[] = [];
      const flush = () => {
        if (batch.length === 0) return;
        const full = batch;
        batch = [];
        subscriber.next(full);
      };
      const ticks = scheduler.schedule(function (this: SchedulerAction<unknown>) {
        flush();
        this.schedule(undefined, tickMs);
      }, tickMs);
      const input = source.subscribe({
        next: (item) => {
          batch.push(item);
          if (flushNow?.(item) || batch.length >= fullAt()) flush();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          flush();
          subscriber.complete();
        },
      });
      return () => {
        ticks.unsubscribe();
        input.unsubscribe();
      };
    });
}

/**
 * Writes batches one at a time; batches that arrive while a write is in flight wait and go out
 * together as the next write, up to `maxItems` a write. A slow database thus gets fewer, larger
 * writes instead of a growing queue of small ones, and no write grows without bound (on the
 * embedded database a write holds the event loop). Completes once the source has completed and
 * the last write is done.
 */
export function coalesceWhileBusy<T, R>(write: (items: T[]) => Observable<R>, maxItems: number | (() => number) = Number.POSITIVE_INFINITY): OperatorFunction<T[], R> {
  const cap = typeof maxItems === 'number' ? () => maxItems : maxItems;
  return (source) =>
    new Observable<R>((subscriber) => {
      let waiting: T[] = [];
      let writer: Subscription | undefined;
      let sourceDone = false;
      const writeNext = () => {
        if (writer) return;
        if (waiting.length === 0) {
          if (sourceDone) subscriber.complete();
          return;
        }
        const max = cap();
        const items = waiting.length > max ? waiting.splice(0, max) : waiting;
        if (items === waiting) waiting = [];
        // Set before subscribing: a write that completes at once starts the next one from inside
        // subscribe(), and that one must stay the current writer.
        const current = new Subscription();
        writer = current;
        current.add(
          write(items).subscribe({
            next: (result) => subscriber.next(result),
            error: (error) => subscriber.error(error),
            complete: () => {
              if (writer === current) writer = undefined;
              writeNext();
            },
          }),
        );
      };
      const input = source.subscribe({
        next: (batch) => {
          appendAll(waiting, batch);
          writeNext();
        },
        error: (error) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          writeNext();
        },
      });
      return () => {
        input.unsubscribe();
        writer?.unsubscribe();
      };
    });
}

export interface WritePerTickOptions<T> {
  tickMs: number;
  /** Told of each failed write before it is retried; the batch is kept, never dropped. */
  onWriteFailure?: (error: unknown, attempt: number) => void;
  /**
   * Told of an item the database refuses as data (SQLSTATE class 22 or 23): retrying cannot
   * help it, so it is set aside here and the rest of its batch is written without it.
   */
  onSetAside?: (item: T, error: unknown) => void;
  /**
   * Told of a write the database cancelled for running past its statement timeout (57014): the
   * database answers, only slowly, so the batch is written in halves and later writes are smaller
   * until they go through again. Not a failure of the connection: `onWriteFailure` is not told.
   */
  onWriteTimedOut?: (error: unknown, items: number) => void;
  /** Items someone waits on: their batch is written at once, not at the tick's end. */
  flushNow?: (item: T) => boolean;
  scheduler?: SchedulerLike;
}

const maxRetryDelayMs = 30_000;
// At most this many items in one write: catching up after a stall goes in steps of bounded length.
const maxItemsPerWrite = 10_000;

/** The database cancelled the statement: it ran past `statement_timeout`. */
const isTimedOut = (error: unknown) => (error as { code?: unknown } | undefined)?.code === '57014';

/**
 * How many items a write may take: halved to below a batch that timed out, then grown back by a
 * quarter with each full write that took under half the time the cancelled one ran (so it will
 * not be cancelled at its next size), up to `max`.
 */
class WriteSize {
  private current: number;
  private timeoutMs = Number.POSITIVE_INFINITY;
  constructor(private readonly max: number) {
    this.current = max;
  }
  cap = () => this.current;
  timedOut(items: number, ranMs: number): void {
    this.current = Math.max(1, Math.min(this.current, Math.floor(items / 2)));
    this.timeoutMs = ranMs;
  }
  wrote(items: number, tookMs: number): void {
    if (items >= this.current && tookMs < this.timeoutMs / 2) this.current = Math.min(this.max, Math.ceil(this.current * 1.25));
  }
}

/** The database refused the data itself (data exception or integrity violation), not the connection. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^2[23]/.test(code);
}

/**
 * Persists a stream in one write per tick: batches per tick, writes one batch at a time (merging
 * what waits), and retries a failing write with back-off (250 ms doubling to 30 s) while new input
 * keeps collecting. A batch the database refuses as data is halved until the refused items are
 * alone; those are set aside and every other item is written, so one bad item cannot hold its
 * pipeline. A batch that runs past the statement timeout is halved too, and writes stay smaller
 * until they go through (see `WriteSize`): a slow database gets smaller writes, never the same
 * cancelled one again. Emits each write's result (several for a halved batch).
 */
export function writePerTick<T, R>(write: (batch: T[]) => Promise<R>, options: WritePerTickOptions<T>): OperatorFunction<T, R> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const size = new WriteSize(maxItemsPerWrite);
  const writeSettingAside = (batch: T[]): Observable<R> => {
    let started = 0;
    return defer(async () => {
      started = performance.now();
      const result = await write(batch);
      size.wrote(batch.length, performance.now() - started);
      return result;
    }).pipe(
      retry({
        delay: (error, attempt) => {
          if (isDataError(error) || (isTimedOut(error) && batch.length > 1)) return throwError(() => error);
          options.onWriteFailure?.(error, attempt);
          return timer(Math.min(250 * 2 ** (attempt - 1), maxRetryDelayMs), scheduler);
        },
      }),
      catchError((error: unknown) => {
        if (isTimedOut(error)) {
          options.onWriteTimedOut?.(error, batch.length);
          size.timedOut(batch.length, performance.now() - started);
        } else if (batch.length === 1) {
          options.onSetAside?.(batch[0]!, error);
          return EMPTY;
        }
        const half = Math.ceil(batch.length / 2);
        return concat(writeSettingAside(batch.slice(0, half)), writeSettingAside(batch.slice(half)));
      }),
    );
  };
  return (source) => source.pipe(batchPerTick(options.tickMs, scheduler, options.flushNow, size.cap), coalesceWhileBusy(writeSettingAside, size.cap));
}
