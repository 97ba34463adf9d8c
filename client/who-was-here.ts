// "Who was here" (issue 21): every unit within a radius of a place in the hour before the moment
// shown (live or replayed), each by its closest fix, with the cases and camera events there then,
// from PostGIS on history; asked by right-clicking the map, answered on the map and in the details.
import type { NearbyActivity } from '../streams/index.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';
import { getJson } from './session.ts';

type LonLat = [number, number];

const windowMs = 3_600_000;
const radiiM = [200, 500, 1_000] as const;
// The list names the nearest; the map marks them all.
const listed = 8;

/** What the map draws of an answer: the circle asked about and each unit's closest fix. */
export interface PlaceAsked {
  center: LonLat;
  radiusM: number;
  units: { lon: number; lat: number }[];
}

const words = {
  'zh-CN': {
    title: '此处周边 · 前 1 小时', reading: '查询历史…', units: (n: number) => `经过的单位 ${n}`, none: '这一小时没有单位经过',
    cases: (n: number, events: number) => `案件 ${n} · 摄像头事件 ${events}`, ago: (minutes: number) => `${minutes} 分钟前`, metres: (m: number) => `${m} 米`,
    failed: (why: string) => `查询失败：${why}。请稍后再试。`,
  },
  en: {
    title: 'Who was here · hour before', reading: 'reading history…', units: (n: number) => `Units that passed: ${n}`, none: 'No unit passed in this hour',
    cases: (n: number, events: number) => `Cases ${n} · camera events ${events}`, ago: (minutes: number) => `${minutes} min before`, metres: (m: number) => `${m} m`,
    failed: (why: string) => `The question could not be answered: ${why}. Try again shortly.`,
  },
} as const;

/**
 * The answer's panel for a place: radius chips (500 m first) and the units nearest first, each with
 * how far and how long before the moment; `show` draws it on the map (undefined: nothing).
 */
export function whoWasHerePanel(center: LonLat, language: Language, moment: () => number, show: (asked: PlaceAsked | undefined) => void): { title: string; panel: HTMLElement } {
  const t = words[language];
  const panel = element('div', 'nearby-panel');
  panel.dataset.testid = 'who-was-here';
  const chips = element('div', 'nearby-radii');
  const result = element('div', 'nearby-result');
  panel.append(chips, result);
  const to = Math.round(moment());
  const ask = async (radiusM: number) => {
    for (const chip of chips.children) chip.classList.toggle('on', (chip as HTMLElement).dataset.radius === String(radiusM));
    result.replaceChildren(element('p', 'details-line', t.reading));
    const query = `lon=${center[0]}&lat=${center[1]}&radius=${radiusM}&from=${to - windowMs}&to=${to}`;
    const read = await getJson<NearbyActivity>(`/api/history/nearby?${query}`);
    if ('problem' in read) {
      show(undefined);
      return void result.replaceChildren(element('p', 'track-problem', t.failed(read.problem)));
    }
    const { body } = read;
    show({ center, radiusM, units: body.units });
    const rows = body.units.slice(0, listed).map((unit) => {
      const row = element('li', 'nearby-unit');
      row.dataset.testid = `nearby-${unit.id}`;
      row.append(element('span', '', unit.label), element('span', 'wall-number', `${t.metres(Math.round(unit.distanceM))} · ${t.ago(Math.max(0, Math.round((to - Date.parse(unit.at)) / 60_000)))}`));
      return row;
    });
    const list = element('ol', 'nearby-units');
    list.append(...rows);
    result.replaceChildren(element('p', 'track-summary', body.units.length === 0 ? t.none : t.units(body.units.length)), list, element('p', 'details-line', t.cases(body.incidents.length, body.cameraEvents.length)));
  };
  for (const radiusM of radiiM) {
    const chip = element('button', 'track-button nearby-radius', t.metres(radiusM));
    chip.dataset.radius = String(radiusM);
    chip.dataset.testid = `nearby-radius-${radiusM}`;
    chip.addEventListener('click', () => void ask(radiusM));
    chips.append(chip);
  }
  void ask(500);
  return { title: t.title, panel };
}
