import { createStore } from 'zustand/vanilla';
import type { LiveLayer, ReplayClock, ReplayRequest, ReplayResult } from '../streams/index.ts';
import type { LiveSocket } from './live-socket.ts';

/** What a view shows: the live city, or the past on a replay clock (and why a replay stopped, if it did). */
export interface ReplayState {
  mode: 'live' | 'replay';
  clock: ReplayClock | null;
  /** Epoch ms (the screen's own clock) when `clock` came. */
  clockSeenAt: number;
  /** Why the last request or the replay failed, to show with what to do. */
  error: string | null;
}

export const initialReplayState: ReplayState = { mode: 'live', clock: null, clockSeenAt: 0, error: null };

// State changes as pure functions, testable without a browser.
export const replayUpdaters = {
  clockSeen: (state: ReplayState, clock: ReplayClock, at: number): ReplayState => (state.mode === 'replay' ? { ...state, clock, clockSeenAt: at, error: null } : state),
  failed: (state: ReplayState, error: string): ReplayState => ({ ...state, error }),
  started: (state: ReplayState): ReplayState => ({ ...state, mode: 'replay', error: null }),
  live: (): ReplayState => initialReplayState,
};

/** The moment a view shows: now when live; while replaying, the replay clock run on by the time since it came. */
export function shownMoment(state: ReplayState, now: number): number {
  const { clock } = state;
  if (state.mode === 'live' || !clock) return now;
  return clock.playing && !clock.waiting ? Math.min(now, clock.at + (now - state.clockSeenAt) * clock.speed) : clock.at;
}

// The speeds a time bar offers (the server takes ×1–×120).
export const replaySpeedSteps = [1, 5, 10, 30, 60, 120] as const;

/**
 * A view's replay, over its one live connection: start it at a moment, jump, change speed, pause,
 * step, go back to live. While replaying, the server sends the past as the live messages; at each
 * jump it sends a clock marked `reset` first, and the view clears what it shows (`reset`). After a
 * reconnection the replay is asked for again where its clock was.
 */
export class ReplayControl {
  readonly store = createStore<ReplayState>()(() => initialReplayState);

  constructor(
    private readonly socket: LiveSocket,
    private readonly view: { reset(): void; goneLive(): Promise<void>; layers?: readonly LiveLayer[] },
  ) {
    socket.on('replay-clock', (clock) => {
      if (clock.reset) view.reset();
      this.set(replayUpdaters.clockSeen(this.state, clock, Date.now()));
    });
    socket.on('replay-failed', (message) => this.set(replayUpdaters.failed(this.state, message)));
  }

  get state(): ReplayState {
    return this.store.getState();
  }

  get replaying(): boolean {
    return this.state.mode === 'replay';
  }

  /** Whether pushed posture boards are of what this screen shows: live ones while live, the replayed moment's while replaying (a push sent before a switch can come after it). */
  shows(snapshot: { replayed?: true }): boolean {
    return this.replaying === Boolean(snapshot.replayed);
  }

  /** The moment the view shows now (epoch ms). */
  now(): number {
    return shownMoment(this.state, Date.now());
  }

  /** Shows the city at `at`, then plays it at `speed` if `playing`. */
  start(at: number, speed = this.state.clock?.speed ?? 10, playing = true): Promise<void> {
    this.set(replayUpdaters.started(this.state));
    return this.ask({ at: Math.round(at), speed, playing, ...(this.view.layers && { layers: [...this.view.layers] }) });
  }

  play(playing: boolean): Promise<void> {
    return this.ask({ playing });
  }

  setSpeed(speed: number): Promise<void> {
    return this.ask({ speed });
  }

  /** A step on by `ms` when paused; back, a jump to that moment. */
  step(ms: number): Promise<void> {
    return ms > 0 ? this.ask({ stepMs: ms }) : this.start(this.now() + ms, undefined, false);
  }

  /** Asks again where the clock was: the connection was new (the server's replay ended with the old one). */
  resumed(): Promise<void> {
    const clock = this.state.clock;
    return clock ? this.start(clock.at, clock.speed, clock.playing) : this.goLive();
  }

  async goLive(): Promise<void> {
    this.set(replayUpdaters.live());
    // What the past showed goes; the live snapshots and keyframe fill the view again.
    this.view.reset();
    if (this.socket.connected) await this.socket.timeout(10_000).emitWithAck('live').catch(() => undefined);
    await this.view.goneLive();
  }

  private async ask(request: ReplayRequest): Promise<void> {
    let result: ReplayResult;
    try {
      result = await this.socket.timeout(30_000).emitWithAck('replay', request);
    } catch {
      result = { error: 'the server did not answer within 30 s; try again' };
    }
    if ('error' in result) this.set(replayUpdaters.failed(this.state, result.error));
    else this.set(replayUpdaters.clockSeen(this.state, result.clock, Date.now()));
  }

  private set(state: ReplayState): void {
    this.store.setState(state, true);
  }
}
