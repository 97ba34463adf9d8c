// The boards' charts as ECharts options: pure functions of a snapshot, so each is tested without a
// browser and rebuilt whole on every push (ECharts diffs them itself).
import type { EChartsCoreOption } from 'echarts/core';
import type { ForceCount, PostureSnapshot } from '../streams/index.ts';
import { bundledFontFamily } from './bundled-font.ts';
import type { Language } from './i18n.ts';
import { formatsFor, postureMessagesFor } from './posture-i18n.ts';
import { wallTheme } from './theme.ts';

/** Series colours, in order; the first is the city's own blue. */
export const seriesColors = ['#4da3ff', '#7bd389', '#f6c344', '#ff8c42', '#b388eb', '#ff5d5d'];

/** What every chart shares: the dark theme, the bundled font, a tooltip, room for axis labels. */
function base(unit: number): EChartsCoreOption {
  return {
    backgroundColor: 'transparent',
    color: seriesColors,
    animation: false,
    textStyle: { fontFamily: bundledFontFamily, fontSize: unit * 0.8, color: '#dbe7f7' },
    grid: { left: unit * 0.5, right: unit, top: unit * 1.6, bottom: unit * 0.3, containLabel: true },
    tooltip: { trigger: 'axis', confine: true, backgroundColor: '#0b1628', borderColor: wallTheme.districtLine, textStyle: { color: '#dbe7f7', fontFamily: bundledFontFamily } },
    legend: { top: 0, right: 0, itemHeight: unit * 0.6, textStyle: { color: '#8aa2c2', fontFamily: bundledFontFamily, fontSize: unit * 0.75 } },
  };
}

const axisLine = { lineStyle: { color: '#24405f' } };
const splitLine = { lineStyle: { color: '#13243a' } };
// Without a format the values are counts: whole ticks only.
const valueAxis = (unit: number, format?: (value: number) => string) => ({
  type: 'value',
  axisLine,
  splitLine,
  ...(!format && { minInterval: 1 }),
  axisLabel: { color: '#8aa2c2', fontSize: unit * 0.75, ...(format && { formatter: format }) },
});
const categoryAxis = (unit: number, data: string[]) => ({ type: 'category', data, axisLine, axisTick: { show: false }, axisLabel: { color: '#8aa2c2', fontSize: unit * 0.75 } });

/** The window's buckets as x-axis labels: clock times, with dates for a week. */
function bucketLabels(snapshot: PostureSnapshot, language: Language): string[] {
  const format = formatsFor(language);
  return snapshot.window.buckets.map((iso) => format.bucket(iso, snapshot.window.bucketMs >= 6 * 3_600_000));
}

/** A series over the window's buckets: bars for counts, a line for rates and indexes. */
export function overTimeChart(
  snapshot: PostureSnapshot,
  language: Language,
  unit: number,
  series: { name: string; values: (number | null)[]; kind: 'bar' | 'line' }[],
  options: { format?: (value: number) => string; legend?: boolean; empty?: string } = {},
): EChartsCoreOption {
  const nothing = series.every((s) => s.values.every((value) => value === null || value === 0));
  return {
    ...base(unit),
    ...(options.legend === false && { legend: { show: false } }),
    // Over an empty window the axes alone would look like a broken chart: say there is nothing yet.
    ...(nothing && options.empty && { title: { text: options.empty, left: 'center', top: 'middle', textStyle: { color: '#8aa2c2', fontSize: unit * 0.9, fontWeight: 'normal', fontFamily: bundledFontFamily } } }),
    xAxis: categoryAxis(unit, bucketLabels(snapshot, language)),
    yAxis: valueAxis(unit, options.format),
    // Points as well as lines: a bucket between two empty ones still shows.
    series: series.map(({ name, values, kind }) => ({ name, type: kind, data: values, symbolSize: unit * 0.35, connectNulls: false, barMaxWidth: unit, ...(kind === 'line' && { lineStyle: { width: unit * 0.15 } }) })),
  };
}

/** Horizontal bars, first row on top: categories, routes, districts; several series side by side, or stacked when they add up. */
export function rankingChart(unit: number, rows: { label: string; values: number[] }[], names: string[], options: { format?: (value: number) => string; stacked?: boolean } = {}): EChartsCoreOption {
  const ordered = [...rows].reverse();
  const { format, stacked = false } = options;
  return {
    ...base(unit),
    tooltip: { ...(base(unit).tooltip as object), trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { ...(base(unit).legend as object), show: names.length > 1 },
    xAxis: valueAxis(unit, format),
    yAxis: categoryAxis(unit, ordered.map((row) => row.label)),
    series: names.map((name, i) => ({ name, type: 'bar', stack: stacked ? 'all' : undefined, data: ordered.map((row) => row.values[i] ?? 0), barMaxWidth: unit })),
  };
}

const dutyOrder = ['available', 'en-route', 'on-scene', 'off-duty'] as const;

/** Force per district, stacked by duty, one stack per agency. */
export function forceChart(force: ForceCount[], districtName: (id: string | null) => string, language: Language, unit: number): EChartsCoreOption {
  const t = postureMessagesFor(language).units;
  const districts = [...new Set(force.map((row) => row.districtId))];
  const units = (districtId: string | null, agency: string, duty: string) => force.filter((row) => row.districtId === districtId && row.agency === agency && row.duty === duty).reduce((sum, row) => sum + row.units, 0);
  const dutyColors: Record<(typeof dutyOrder)[number], string> = { available: '#7bd389', 'en-route': '#f6c344', 'on-scene': '#ff8c42', 'off-duty': '#3a506e' };
  return {
    ...base(unit),
    tooltip: { ...(base(unit).tooltip as object), axisPointer: { type: 'shadow' } },
    xAxis: { ...categoryAxis(unit, districts.map(districtName)), axisLabel: { ...categoryAxis(unit, []).axisLabel, interval: 0, rotate: districts.length > 4 ? 30 : 0 } },
    yAxis: valueAxis(unit),
    series: (['police', 'city'] as const).flatMap((agency) =>
      dutyOrder.map((duty) => ({
        name: `${t[agency]} · ${t.duty[duty]}`,
        type: 'bar',
        stack: agency,
        data: districts.map((districtId) => units(districtId, agency, duty)),
        itemStyle: { color: dutyColors[duty], ...(agency === 'city' && { decal: { symbol: 'rect', dashArrayX: [1, 0], dashArrayY: [2, 3], rotation: -Math.PI / 4, color: 'rgba(7, 13, 23, 0.5)' } }) },
        barMaxWidth: unit * 1.2,
      })),
    ),
    // One legend entry per duty (the police stack's); inspectors' bars are the same colours, hatched.
    legend: { ...(base(unit).legend as object), data: dutyOrder.map((duty) => `${t.police} · ${t.duty[duty]}`), formatter: (name: string) => name.split(' · ')[1] ?? name },
  };
}
