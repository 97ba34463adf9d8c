// One unit's track from its details (轨迹回放, issue 21): the hour before the moment shown (live or
// replayed), drawn on the map with where it stood still, and its speed over that hour as a chart
// large enough to read across the room.
import type { UnitTrack } from '../streams/index.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';
import { getJson } from './session.ts';

const trackHourMs = 3_600_000;

const words = {
  'zh-CN': {
    show: '轨迹（前 1 小时）', hide: '关闭轨迹', reading: '读取轨迹…', none: '这一小时没有定位记录',
    summary: (km: string, stops: number, maxKmh: number) => `${km} 公里 · 停留 ${stops} 次 · 最高 ${maxKmh} 公里/时`,
    failed: (why: string) => `轨迹读取失败：${why}。请稍后再试。`, speed: (span: string) => `速度（公里/时），橙色为停留 · ${span}`,
  },
  en: {
    show: 'Track (hour before)', hide: 'Close track', reading: 'reading the track…', none: 'No fixes in this hour',
    summary: (km: string, stops: number, maxKmh: number) => `${km} km · ${stops} stops · top ${maxKmh} km/h`,
    failed: (why: string) => `The track could not be read: ${why}. Try again shortly.`, speed: (span: string) => `Speed (km/h), stops in amber · ${span}`,
  },
} as const;

/** The box a track spans, [[west, south], [east, north]], in the map's coordinates. */
export function trackBox(track: UnitTrack, toMap: (at: [number, number]) => [number, number]): [[number, number], [number, number]] {
  const points = track.points.map((point) => toMap([point.lon, point.lat]));
  const [lons, lats] = [points.map(([lon]) => lon), points.map(([, lat]) => lat)];
  return [[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]];
}

/** The speed over the track as an SVG chart: a line of km/h against time from its first fix to `to`, stops shaded. */
export function speedChart(track: UnitTrack, to: number): SVGSVGElement {
  const from = track.points[0]?.at ?? to - trackHourMs;
  const [width, height] = [300, 80];
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  // Stretched to the panel's width and the chart's height (the line keeps its width: non-scaling stroke).
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'track-chart');
  svg.dataset.testid = 'track-chart';
  const topKmh = Math.max(30, ...track.points.map((point) => point.speedKmh ?? 0));
  const x = (at: number) => ((at - from) / Math.max(1, to - from)) * width;
  const y = (kmh: number) => height - (kmh / topKmh) * (height - 4);
  const add = (tag: string, attributes: Record<string, string | number>) => {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
    svg.append(node);
  };
  for (const stop of track.stops) add('rect', { x: x(stop.from), y: 0, width: Math.max(1, x(stop.to) - x(stop.from)), height, class: 'track-chart-stop' });
  const line = track.points.filter((point) => point.speedKmh !== null).map((point) => `${x(point.at).toFixed(1)},${y(point.speedKmh!).toFixed(1)}`);
  if (line.length > 0) add('polyline', { points: line.join(' '), class: 'track-chart-line' });
  return svg;
}

/**
 * The track control in a unit's details: a button that reads the unit's track for the hour before
 * `moment()` and shows it (`show`), with a summary and the speed chart; again, it closes it.
 */
export function unitTrackPanel(unitId: string, language: Language, moment: () => number, show: (track: UnitTrack | undefined) => void): HTMLElement {
  const t = words[language];
  const panel = element('div', 'track-panel');
  const button = element('button', 'track-button', t.show);
  button.dataset.testid = 'track-button';
  const result = element('div', 'track-result');
  result.dataset.testid = 'track-result';
  panel.append(button, result);
  let open = false;
  button.addEventListener('click', async () => {
    if (open) {
      [open, button.textContent] = [false, t.show];
      result.replaceChildren();
      return show(undefined);
    }
    const to = Math.round(moment());
    const from = to - trackHourMs;
    result.replaceChildren(element('p', 'details-line', t.reading));
    const read = await getJson<UnitTrack>(`/api/history/units/${encodeURIComponent(unitId)}/track?from=${from}&to=${to}`);
    if ('problem' in read) return void result.replaceChildren(element('p', 'track-problem', t.failed(read.problem)));
    const { body } = read;
    [open, button.textContent] = [true, t.hide];
    show(body);
    if (body.points.length === 0) return void result.replaceChildren(element('p', 'details-line', t.none));
    const topKmh = Math.round(Math.max(0, ...body.points.map((point) => point.speedKmh ?? 0)));
    const time = (at: number) => new Date(at).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', hour12: false });
    const span = `${time(body.points[0]!.at)}–${time(to)}`;
    result.replaceChildren(element('p', 'track-summary', t.summary((body.distanceM / 1000).toFixed(1), body.stops.length, topKmh)), speedChart(body, to), element('p', 'details-line', t.speed(span)));
  });
  return panel;
}
