import { asyncScheduler, bufferTime, defer, filter, Observable, retry, timer, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

/** Collects events into one batch per tick; empty ticks emit nothing. */
export function batchPerTick<T>(tickMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    source.pipe(
      bufferTime(tickMs, scheduler),
      filter((batch) => batch.length > 0),
    );
}

/**
 * Writes batches one at a time; batches that arrive while a write is in flight wait and go out
 * together as the next write, up to `maxItems` a write. A slow database thus gets fewer, larger
 * writes instead of a growing queue of small ones, and no write grows without bound (on the
 * embedded database a write holds the event loop). Completes once the source has completed and
 * the last write is done.
 */
export function coalesceWhileBusy<T, R>(write: (items: T[]) => Observable<R>, maxItems = Number.POSITIVE_INFINITY): OperatorFunction<T[], R> {
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
        const items = waiting.length > maxItems ? waiting.splice(0, maxItems) : waiting;
        if (items === waiting) waiting = [];
        writer = write(items).subscribe({
          next: (result) => subscriber.next(result),
          error: (error) => subscriber.error(error),
          complete: () => {
            writer = undefined;
            writeNext();
          },
        });
      };
      const input = source.subscribe({
        next: (batch) => {
          waiting.push(...batch);
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

export interface WritePerTickOptions {
  tickMs: number;
  /** Told of each failed write before it is retried; the batch is kept, never dropped. */
  onWriteFailure?: (error: unknown, attempt: number) => void;
  scheduler?: SchedulerLike;
}

const maxRetryDelayMs = 30_000;
// At most this many items in one write: catching up after a stall goes in steps of bounded length.
const maxItemsPerWrite = 10_000;

/**
 * Persists a stream in one write per tick: batches per tick, writes one batch at a time (merging
 * what waits), and retries a failing write with back-off (250 ms doubling to 30 s) while new input
 * keeps collecting. Emits each write's result.
 */
export function writePerTick<T, R>(write: (batch: T[]) => Promise<R>, options: WritePerTickOptions): OperatorFunction<T, R> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    source.pipe(
      batchPerTick(options.tickMs, scheduler),
      coalesceWhileBusy(
        (batch) =>
          defer(() => write(batch)).pipe(
            retry({
              delay: (error, attempt) => {
                options.onWriteFailure?.(error, attempt);
                return timer(Math.min(250 * 2 ** (attempt - 1), maxRetryDelayMs), scheduler);
              },
            }),
          ),
        maxItemsPerWrite,
      ),
    );
}
