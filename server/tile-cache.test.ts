// The tiles kept for the screens: one making per tile however many ask at once, the least recently
// used let go past the budget, and a failed making not kept.
import { describe, expect, it } from 'vitest';
import { TileCache } from './tile-cache.ts';

const tile = (bytes: number) => new Uint8Array(bytes);

describe('the tile cache', () => {
  it('makes a tile once for everyone asking at the same time, and keeps it', async () => {
    const cache = new TileCache(1_000);
    let made = 0;
    const make = async () => {
      made += 1;
      return tile(10);
    };
    const [a, b] = await Promise.all([cache.get('t', make), cache.get('t', make)]);
    expect(a).toBe(b);
    expect(await cache.get('t', make)).toBe(a);
    expect(made).toBe(1);
  });

  it('lets the least recently used go once past its budget', async () => {
    const cache = new TileCache(250);
    const made: string[] = [];
    const make = (key: string) => async () => {
      made.push(key);
      return tile(100);
    };
    await cache.get('a', make('a'));
    await cache.get('b', make('b'));
    await cache.get('a', make('a')); // a used again: b is now the oldest
    await cache.get('c', make('c')); // 300 bytes: b goes
    await cache.get('a', make('a'));
    await cache.get('b', make('b'));
    expect(made).toEqual(['a', 'b', 'c', 'b']);
  });

  it('does not keep a failure: the next request makes the tile again', async () => {
    const cache = new TileCache(1_000);
    await expect(cache.get('t', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect((await cache.get('t', async () => tile(5))).byteLength).toBe(5);
  });
});
