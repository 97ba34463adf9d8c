import { asyncScheduler, bufferTime, filter, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

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
 * together as the next write. A slow database thus gets fewer, larger writes instead of a growing
 * queue of small ones. Completes once the source has completed and the last write is done.
 */
export function coalesceWhileBusy<T, R>(write: (items: T[]) => Observable<R>): OperatorFunction<T[], R> {
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
        const items = waiting;
        waiting = [];
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
