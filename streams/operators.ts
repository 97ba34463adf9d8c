import { asyncScheduler, bufferTime, filter, map, Observable, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';

interface Timed {
  entityId: string;
  eventTime: number;
}

/**
 * Collects events into one batch per tick, in event-time order, without exact repeats (a tracker
 * re-sending a fix after a reconnect). Empty ticks emit nothing.
 */
export function batchPerTick<T extends Timed>(tickMs: number, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<T, T[]> {
  return (source) =>
    source.pipe(
      bufferTime(tickMs, scheduler),
      filter((batch) => batch.length > 0),
      map(withoutRepeats),
    );
}

function withoutRepeats<T extends Timed>(batch: readonly T[]): T[] {
  const seen = new Set<string>();
  const unique = batch.filter((event) => {
    const key = `${event.entityId}\u0000${event.eventTime}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => a.eventTime - b.eventTime);
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
