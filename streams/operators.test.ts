import { concat, delay, firstValueFrom, of, Subject, throwError, toArray, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { batchPerTick, coalesceWhileBusy, writePerTick } from './index.ts';

const at = (entityId: string, eventTime: number) => ({ entityId, eventTime });
const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('batchPerTick', () => {
  const values = { a: at('car-1', 1), b: at('car-2', 0), c: at('car-1', 1), d: at('bus-1', 7) };

  it('emits one batch per tick, in arrival order, and nothing for empty ticks', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c----------d-------|', values);
      const expected = '   ----------x---------y--|';
      expectObservable(source.pipe(batchPerTick(10))).toBe(expected, { x: [values.a, values.b, values.c], y: [values.d] });
    });
  });

  it('closes a batch at once on an item someone waits on, and keeps the tick for the rest', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-d-b----------c--|', values);
      const expected = '   --x-------y-------(z|)';
      const urgent = (item: { entityId: string }) => item.entityId === 'bus-1';
      expectObservable(source.pipe(batchPerTick(10, undefined, urgent))).toBe(expected, { x: [values.a, values.d], y: [values.b], z: [values.c] });
    });
  });

  it('sends a full batch on at once, without waiting for the tick', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c----------d-------|', values);
      const expected = '   --x-------y---------z--|';
      expectObservable(source.pipe(batchPerTick(10, undefined, undefined, () => 2))).toBe(expected, { x: [values.a, values.b], y: [values.c], z: [values.d] });
    });
  });

  it('passes errors on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#', values).pipe(batchPerTick(10))).toBe('--#');
    });
  });

  it('stops its timers when unsubscribed early', () => {
    scheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-d-', values);
      expectObservable(source.pipe(batchPerTick(10)), '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });
});

describe('coalesceWhileBusy', () => {
  // A write that takes 5 frames and reports what it wrote.
  const slowWrite = (items: string[]): Observable<string> => of(items.join('')).pipe(delay(5));

  it('writes batches that arrive during a write together as the next one', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-------d-|', { a: ['a'], b: ['b'], c: ['c'], d: ['d'] });
      expectObservable(source.pipe(coalesceWhileBusy(slowWrite))).toBe('-----x----y------(z|)', { x: 'a', y: 'bc', z: 'd' });
    });
  });

  it('never writes more than its limit at once: the rest waits for the next write', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c-|', { a: ['a1', 'a2'], b: ['b1', 'b2'], c: ['c1'] });
      expectObservable(source.pipe(coalesceWhileBusy(slowWrite, 2))).toBe('-----x----y----(z|)', { x: 'a1a2', y: 'b1b2', z: 'c1' });
    });
  });

  it('takes a batch larger than a call can spread (a large feed’s tick) and writes it in pieces of its limit', async () => {
    // 125,000 events in one tick overflowed the stack (RangeError) once: push(...batch) passes each as an argument.
    // Each write here completes at once, inside subscribe(): the next write must still follow.
    const batch = Array.from({ length: 500_000 }, (_, i) => i);
    const written = await firstValueFrom(of(batch).pipe(coalesceWhileBusy((items) => of(items), 200_000), toArray()));
    expect(written.map((items) => items.length)).toEqual([200_000, 200_000, 100_000]);
    expect(written.flat()).toEqual(batch);
  });

  it('completes at once on an empty source', () => {
    scheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<string[]>('|').pipe(coalesceWhileBusy(slowWrite))).toBe('|');
    });
  });

  it('passes a write error on', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const failing = () => concat(of('x').pipe(delay(1)), throwError(() => 'disk full'));
      expectObservable(cold('a|', { a: ['a'] }).pipe(coalesceWhileBusy(failing))).toBe('-(x#)', { x: 'x' }, 'disk full');
    });
  });
});

describe('writePerTick', () => {
  // A database that refuses the item 'bad' as data (22P02, invalid text representation), and
  // records every write it is given.
  const refusingBad = (writes: string[][]) => async (batch: string[]) => {
    writes.push(batch);
    if (batch.includes('bad')) throw Object.assign(new Error('invalid input syntax'), { code: '22P02' });
    return batch.join('');
  };

  it('sets a refused item aside and writes the rest of its tick, in order', async () => {
    const writes: string[][] = [];
    const setAside: string[] = [];
    const failures: unknown[] = [];
    const written = await firstValueFrom(
      of('a', 'b', 'bad', 'd', 'e').pipe(
        writePerTick(refusingBad(writes), { tickMs: 1, onSetAside: (item) => setAside.push(item), onWriteFailure: (error) => failures.push(error) }),
        toArray(),
      ),
    );
    // The tick is halved until 'bad' is alone: ab, then bad (alone, set aside), then de.
    expect(written).toEqual(['ab', 'de']);
    expect(writes).toEqual([['a', 'b', 'bad', 'd', 'e'], ['a', 'b', 'bad'], ['a', 'b'], ['bad'], ['d', 'e']]);
    expect(setAside).toEqual(['bad']);
    expect(failures).toEqual([]);
  });

  it('retries a write that failed for any other reason whole, with back-off, dropping nothing', async () => {
    let outages = 2;
    const setAside: string[] = [];
    const attempts: number[] = [];
    const written = await firstValueFrom(
      of('a', 'b').pipe(
        writePerTick(
          async (batch: string[]) => {
            if (outages-- > 0) throw Object.assign(new Error('terminating connection'), { code: '57P01' });
            return batch.join('');
          },
          { tickMs: 1, onSetAside: (item) => setAside.push(item), onWriteFailure: (_, attempt) => attempts.push(attempt) },
        ),
        toArray(),
      ),
    );
    expect(written).toEqual(['ab']);
    expect(attempts).toEqual([1, 2]);
    expect(setAside).toEqual([]);
  });

  it('writes a batch that ran past the statement timeout in halves, and later ticks smaller until they go through fast', async () => {
    // A database that cancels any write of more than 3 items (57014, statement timeout), slowly.
    const writes: number[] = [];
    const timedOut: number[] = [];
    const failures: unknown[] = [];
    const items = new Subject<string>();
    const written: string[] = [];
    const done = new Promise<void>((resolve) =>
      items
        .pipe(
          writePerTick(
            async (batch: string[]) => {
              writes.push(batch.length);
              if (batch.length <= 3) return batch.join('');
              await new Promise((wait) => setTimeout(wait, 20));
              throw Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
            },
            { tickMs: 1, onWriteTimedOut: (_, size) => timedOut.push(size), onWriteFailure: (error) => failures.push(error) },
          ),
        )
        .subscribe({ next: (result) => written.push(result), complete: resolve }),
    );
    'abcdefgh'.split('').forEach((item) => items.next(item));
    await new Promise((wait) => setTimeout(wait, 50));
    'ijklmn'.split('').forEach((item) => items.next(item));
    items.complete();
    await done;
    // 8 → halves of 4 (each cancelled) → 2+2+2+2; later writes take at most 2, growing back by a quarter (to 3) after fast full ones.
    expect(written.join('')).toBe('abcdefghijklmn');
    expect(timedOut).toEqual([8, 4, 4]);
    expect(writes.slice(0, 7)).toEqual([8, 4, 2, 2, 4, 2, 2]);
    expect(Math.max(...writes.slice(7))).toBeLessThanOrEqual(3);
    expect(failures, 'a slow database is not a failed one').toEqual([]);
  });
});
