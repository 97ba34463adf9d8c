import { describe, expect, it } from 'vitest';
import type { PostureSnapshot } from '../streams/index.ts';
import { askFromQuery, askParameters, createPostureStore, postureUpdaters } from './posture-store.ts';

const all = ['cases', 'units', 'traffic', 'buses', 'feeds'] as const;
const snapshotFor = (query: Partial<PostureSnapshot['query']>, at: string): PostureSnapshot => ({
  query: { range: 'live', districtId: null, cellId: null, minutes: 5, boards: [...all], ...query },
  at,
  window: { from: at, to: at, bucketMs: 60_000, buckets: [] },
});

describe('the posture view state', () => {
  const start = () => createPostureStore(askFromQuery('')).getState();

  it('reads an ask from the address, defaulting what is missing or garbled, and writes it back', () => {
    expect(askFromQuery('')).toEqual({ range: 'live', districtId: null, cellId: null, minutes: 5, boards: [...all] });
    const ask = askFromQuery('?range=7d&district=d-02&cell=cell-1&minutes=10&boards=traffic,cases,weather');
    expect(ask).toEqual({ range: '7d', districtId: 'd-02', cellId: 'cell-1', minutes: 10, boards: ['cases', 'traffic'] });
    expect(askFromQuery('?range=1y&minutes=600')).toMatchObject({ range: 'live', minutes: 5 });
    expect(askParameters(ask).toString()).toBe('range=7d&district=d-02&cell=cell-1&minutes=10&boards=cases%2Ctraffic');
    expect(askParameters(askFromQuery('')).toString(), 'defaults stay out of the address').toBe('range=live');
  });

  it('keeps boards of the current ask only, never an older read over a newer one', () => {
    let state = postureUpdaters.snapshotSeen(start(), snapshotFor({}, '2026-12-02T08:00:05Z'));
    expect(state.snapshot?.at).toBe('2026-12-02T08:00:05Z');
    expect(postureUpdaters.snapshotSeen(state, snapshotFor({}, '2026-12-02T08:00:00Z')).snapshot?.at, 'a late older read').toBe('2026-12-02T08:00:05Z');
    state = postureUpdaters.placeChosen(state, { districtId: 'd-02', cellId: null });
    expect(state.snapshot, 'a new place clears the old place’s boards').toBeNull();
    expect(postureUpdaters.snapshotSeen(state, snapshotFor({}, '2026-12-02T08:00:10Z')).snapshot, 'the city’s boards, pushed before the new watch took').toBeNull();
    expect(postureUpdaters.snapshotSeen(state, snapshotFor({ districtId: 'd-02' }, '2026-12-02T08:00:10Z')).snapshot?.query.districtId).toBe('d-02');
  });

  it('takes the place as the server read it, and leaves the state alone when nothing changed', () => {
    const before = postureUpdaters.placeChosen(start(), { districtId: null, cellId: 'cell-1' });
    const read = postureUpdaters.askRead(before, snapshotFor({ districtId: 'd-03', cellId: 'cell-1' }, '2026-12-02T08:00:00Z').query);
    expect(read.ask).toMatchObject({ districtId: 'd-03', cellId: 'cell-1' });
    const same = postureUpdaters.rangeChosen(read, 'live');
    expect(same, 'choosing the range already shown').toBe(read);
    expect(postureUpdaters.minutesChosen(read, 10).ask.minutes).toBe(10);
  });
});
