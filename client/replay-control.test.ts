import { describe, expect, it } from 'vitest';
import { initialReplayState, replayUpdaters, shownMoment } from './replay-control.ts';
import { localInputValue } from './time-bar.ts';

describe('the moment a view shows', () => {
  const clock = { at: 1_000_000, speed: 60, playing: true, waiting: false };
  const replaying = replayUpdaters.clockSeen(replayUpdaters.started(initialReplayState), clock, 5_000_000);

  it('is now when live, and the replay clock run on at its speed between the server\'s clocks', () => {
    expect(shownMoment(initialReplayState, 7_000_000)).toBe(7_000_000);
    expect(shownMoment(replaying, 5_000_500)).toBe(1_000_000 + 500 * 60);
  });

  it('stands still while paused or waiting on history, and never runs past now', () => {
    expect(shownMoment({ ...replaying, clock: { ...clock, playing: false } }, 5_009_000)).toBe(1_000_000);
    expect(shownMoment({ ...replaying, clock: { ...clock, waiting: true } }, 5_009_000)).toBe(1_000_000);
    const nearNow = replayUpdaters.clockSeen(replaying, { ...clock, at: 4_999_990 }, 5_000_000);
    expect(shownMoment(nearNow, 5_000_100)).toBe(5_000_100);
  });

  it('takes no clock once live again, and keeps a failure to show until the next clock', () => {
    expect(replayUpdaters.clockSeen(initialReplayState, clock, 1)).toBe(initialReplayState);
    const failed = replayUpdaters.failed(replaying, 'no history');
    expect(failed.error).toBe('no history');
    expect(replayUpdaters.clockSeen(failed, clock, 2).error).toBeNull();
    expect(replayUpdaters.live()).toEqual(initialReplayState);
  });

  it('writes a moment as a datetime-local field in the screen\'s time zone', () => {
    const at = new Date(2026, 11, 5, 14, 5, 9).getTime();
    expect(localInputValue(at)).toBe('2026-12-05T14:05:09');
  });
});
