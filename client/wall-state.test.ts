import { describe, expect, it } from 'vitest';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { hiddenFromQuery, initialWallState, motionFromQuery, wallUpdaters } from './wall-store.ts';

describe('wall state updaters', () => {
  it('goes live on connect, shows the lost connection, and clears it on reconnect', () => {
    const live = wallUpdaters.connected(initialWallState);
    expect(live).toMatchObject({ connection: 'live', problem: null });
    const lost = wallUpdaters.disconnected(live);
    expect(lost).toMatchObject({ connection: 'reconnecting', problem: { kind: 'connection-lost' } });
    expect(wallUpdaters.connected(lost).problem).toBeNull();
    expect(initialWallState.connection).toBe('connecting');
  });

  it('ends a connection problem when data arrives, and leaves other problems to their owners', () => {
    const counts = initialWallState.counts;
    for (const kind of ['unreachable', 'connection-lost', 'slow-server'] as const) {
      const troubled = wallUpdaters.problemSeen(initialWallState, { kind });
      expect(wallUpdaters.positionsApplied(troubled, { seq: 1, at: 1, counts }).problem, kind).toBeNull();
      expect(wallUpdaters.snapshotRead(troubled, 5).problem, kind).toBeNull();
    }
    const starting = wallUpdaters.problemSeen(initialWallState, { kind: 'starting', step: 'loading the city' });
    expect(wallUpdaters.positionsApplied(starting, { seq: 1, at: 1, counts }).problem).toEqual({ kind: 'starting', step: 'loading the city' });
    expect(wallUpdaters.snapshotRead(initialWallState, 5).snapshotAt).toBe(5);
  });

  it('says when the server is behind or its database down, clears that once it has caught up, and never hides a connection problem', () => {
    const behind = wallUpdaters.coreSeen(initialWallState, { behindS: 12, outage: false });
    expect(behind.problem).toEqual({ kind: 'behind', seconds: 12, outage: false });
    expect(wallUpdaters.coreSeen(initialWallState, { behindS: 2, outage: false }).problem).toBeNull();
    expect(wallUpdaters.coreSeen(behind, { behindS: 40, outage: true }).problem).toEqual({ kind: 'behind', seconds: 40, outage: true });
    expect(wallUpdaters.coreSeen(behind, { behindS: 1, outage: false }).problem).toBeNull();
    // Positions keep flowing while the core lags: data does not clear this notice.
    expect(wallUpdaters.positionsApplied(behind, { seq: 1, at: 1, counts: initialWallState.counts }).problem).toEqual(behind.problem);
    const lost = wallUpdaters.disconnected(initialWallState);
    expect(wallUpdaters.coreSeen(lost, { behindS: 30, outage: true }).problem).toEqual({ kind: 'connection-lost' });
  });

  it('records each applied update', () => {
    const counts = { ...initialWallState.counts, bus: 400 };
    expect(wallUpdaters.positionsApplied(initialWallState, { seq: 7, at: 1_000, counts })).toMatchObject({ lastSeq: 7, lastUpdateAt: 1_000, counts });
  });
});

describe('layer toggles', () => {
  it('switch a layer off and on again, and can start from ?hide=', () => {
    const off = wallUpdaters.layerToggled(initialWallState, 'taxi');
    expect(off.hidden).toEqual(['taxi']);
    expect(wallUpdaters.layerToggled(off, 'taxi').hidden).toEqual([]);
    expect(hiddenFromQuery('?lang=en&hide=taxi, police-officer')).toEqual(['taxi', 'police-officer']);
    expect(hiddenFromQuery('?lang=en')).toEqual([]);
  });
});

describe('language', () => {
  it('takes ?lang first, then the browser, and defaults to Chinese', () => {
    expect(chooseLanguage('?lang=en', ['zh-CN'])).toBe('en');
    expect(chooseLanguage('?lang=zh-CN', ['en-US'])).toBe('zh-CN');
    expect(chooseLanguage('?lang=fr', ['en-GB', 'zh'])).toBe('en');
    expect(chooseLanguage('', ['de-DE', 'zh-TW'])).toBe('zh-CN');
    expect(chooseLanguage('', ['de-DE'])).toBe('zh-CN');
  });

  it('has every message in both languages', () => {
    const shape = (value: unknown): unknown =>
      typeof value === 'object' && value ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)])) : typeof value;
    expect(shape(messagesFor('en'))).toEqual(shape(messagesFor('zh-CN')));
    expect(messagesFor('zh-CN').title('克拉玛依', 'Karamay')).toBe('克拉玛依城市大脑');
    expect(messagesFor('en').title('克拉玛依', 'Karamay')).toBe('Karamay City Brain');
  });

});

describe('motion', () => {
  it('animates unless the browser asks for reduced motion or the address says motion=off; motion=on overrides the browser', () => {
    expect(motionFromQuery('?lang=en', false)).toBe(true);
    expect(motionFromQuery('?lang=en', true)).toBe(false);
    expect(motionFromQuery('?motion=off', false)).toBe(false);
    expect(motionFromQuery('?motion=on', true)).toBe(true);
  });
});
