// The time bar (issue 21): one button takes a view into the past; there, the bar plays, pauses, steps,
// changes speed and scrubs, and one click returns to live. A replaying screen says so unmistakably:
// an amber frame round the whole screen and a label with the replayed time, the live-only badges hidden.
import { element } from './hud.ts';
import type { Language } from './i18n.ts';
import { replaySpeedSteps, type ReplayControl, type ReplayState } from './replay-control.ts';

// How far back the bar reaches, and where a replay opened from the button starts.
const barWindowMs = 24 * 3_600_000;
const openAtMs = 15 * 60_000;
const stepMs = 60_000;

const messages = {
  'zh-CN': {
    open: '⏱ 回放', replay: '回放', live: '● 回到实时', play: '▶ 播放', pause: '‖ 暂停', back: '−1 分', on: '+1 分',
    waiting: '读取历史…',
    notKept: { wall: '单位自报状态（空车等）显示当前值，无历史记录', boards: '实时速率无历史记录', console: '回放只读：不能派警或办理' },
    jump: '跳转到', scrub: '时间轴', failed: (why: string) => `回放出错：${why}`,
  },
  en: {
    open: '⏱ Replay', replay: 'REPLAY', live: '● Back to live', play: '▶ Play', pause: '‖ Pause', back: '−1 min', on: '+1 min',
    waiting: 'reading history…',
    notKept: { wall: "units' own status (vacant, …): shown as now, not kept in history", boards: 'live feed rates: not kept in history', console: 'read-only: nothing can be sent or changed' },
    jump: 'Jump to', scrub: 'Timeline', failed: (why: string) => `Replay failed: ${why}`,
  },
} as const;

/** `<input type="datetime-local">`'s value for an epoch ms, in the screen's own time zone. */
export function localInputValue(ms: number): string {
  const local = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

/**
 * Mounts the bar into `root` (it sits at the bottom of it), for one view, whose note says what its
 * past lacks; the button into the past goes in `openIn` (the bottom of `root` when not given).
 */
export function mountTimeBar(root: HTMLElement, replay: ReplayControl, language: Language, { view, openIn = root }: { view: keyof (typeof messages)['en']['notKept']; openIn?: HTMLElement }) {
  const t = messages[language];
  const button = (className: string, text: string, testid: string, onClick: () => void) => {
    const node = element('button', className, text);
    node.dataset.testid = testid;
    node.addEventListener('click', onClick);
    return node;
  };
  const open = button('time-bar-open', t.open, 'replay-open', () => void replay.start(Date.now() - openAtMs));
  const frame = element('div', 'replay-frame');
  const bar = element('div', 'time-bar');
  bar.dataset.testid = 'time-bar';
  const label = element('span', 'replay-label');
  label.dataset.testid = 'replay-label';
  const shownTime = element('time', 'replay-time');
  shownTime.dataset.testid = 'replay-time';
  const speedShown = element('span', 'replay-speed');
  label.append(element('strong', 'replay-word', t.replay), shownTime, speedShown);
  const playButton = button('time-bar-button', t.play, 'replay-play', () => void replay.play(!replay.state.clock?.playing));
  const speeds = replaySpeedSteps.map((speed) => {
    const node = button('time-bar-speed', `×${speed}`, `replay-speed-${speed}`, () => void replay.setSpeed(speed));
    node.dataset.speed = String(speed);
    return node;
  });
  const slider = document.createElement('input');
  Object.assign(slider, { type: 'range', className: 'time-bar-slider', step: '1000' });
  slider.setAttribute('aria-label', t.scrub);
  slider.dataset.testid = 'replay-slider';
  // Dragging shows the time under the thumb; letting go jumps there.
  let scrubbing = false;
  slider.addEventListener('input', () => {
    scrubbing = true;
    shownTime.textContent = new Date(Number(slider.value)).toLocaleString(language, { hour12: false });
  });
  slider.addEventListener('change', () => {
    scrubbing = false;
    void replay.start(Number(slider.value), undefined, replay.state.clock?.playing ?? false);
  });
  const jump = document.createElement('input');
  Object.assign(jump, { type: 'datetime-local', className: 'time-bar-jump', step: '1' });
  jump.setAttribute('aria-label', t.jump);
  jump.dataset.testid = 'replay-jump';
  jump.addEventListener('change', () => {
    const at = new Date(jump.value).getTime();
    if (Number.isFinite(at)) void replay.start(at, undefined, false);
  });
  const problem = element('p', 'time-bar-problem');
  problem.setAttribute('role', 'alert');
  problem.dataset.testid = 'replay-problem';
  const note = element('span', 'time-bar-note', t.notKept[view]);
  bar.append(
    label,
    button('time-bar-button', t.back, 'replay-back', () => void replay.step(-stepMs)),
    playButton,
    button('time-bar-button', t.on, 'replay-on', () => void replay.step(stepMs)),
    ...speeds,
    slider,
    jump,
    button('time-bar-live', t.live, 'replay-live', () => void replay.goLive()),
    note,
    problem,
  );
  openIn.append(open);
  root.append(frame, bar);

  let jumpShown = '';
  const render = (state: ReplayState) => {
    const replaying = state.mode === 'replay';
    document.body.classList.toggle('replaying', replaying);
    open.hidden = replaying;
    frame.hidden = bar.hidden = !replaying;
    problem.textContent = state.error ? t.failed(state.error) : '';
    problem.hidden = !state.error;
    if (!replaying) return;
    const clock = state.clock;
    const at = replay.now();
    const now = Date.now();
    if (!scrubbing) shownTime.textContent = new Date(at).toLocaleString(language, { hour12: false });
    speedShown.textContent = clock?.waiting ? t.waiting : clock ? `×${clock.speed}` : '';
    playButton.textContent = clock?.playing ? t.pause : t.play;
    for (const node of speeds) node.classList.toggle('on', clock?.speed === Number(node.dataset.speed));
    slider.min = String(now - barWindowMs);
    slider.max = String(now);
    if (!scrubbing) slider.value = String(at);
    // The jump field follows the clock to the minute, unless someone is typing in it.
    const minute = localInputValue(Math.floor(at / 60_000) * 60_000);
    if (document.activeElement !== jump && minute !== jumpShown) jump.value = jumpShown = minute;
  };
  render(replay.state);
  replay.store.subscribe(render);
  // The replayed time runs on between the server's clocks.
  setInterval(() => replay.replaying && render(replay.state), 250);
}
