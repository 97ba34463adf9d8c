// The officials' boards: KPI tiles, ECharts charts and short lists per board, rebuilt from each
// pushed snapshot. Every board links its CSV export for the same ask.
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ECharts, type EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { PostureBoard, PostureSnapshot } from '../streams/index.ts';
import { element } from './hud.ts';
import { messagesFor, type Language } from './i18n.ts';
import { forceChart, overTimeChart, rankingChart, seriesColors } from './posture-charts.ts';
import { congestionLevel, formatsFor, postureMessagesFor } from './posture-i18n.ts';
import { askParameters, postureBoards, type PostureAsk } from './posture-store.ts';

use([BarChart, LineChart, GridComponent, LegendComponent, TitleComponent, TooltipComponent, CanvasRenderer]);

export interface BoardContext {
  language: Language;
  districtName: (id: string | null) => string;
  /** Drills down to a grid cell of the district shown. */
  chooseCell: (cellId: string) => void;
  chooseMinutes: (minutes: number) => void;
  /** The root font size, px: charts scale with the screen as the text does. */
  unit: () => number;
}

type Tone = 'good' | 'warn' | 'bad' | undefined;
/** A KPI: its value big, its name under it; `id` names it for tests (`tile-{id}`). */
const tile = (id: string, label: string, value: string, tone?: Tone, detail?: string) => {
  const box = element('div', `tile${tone ? ` tile-${tone}` : ''}`);
  box.dataset.testid = `tile-${id}`;
  box.append(element('span', 'tile-value', value), element('span', 'tile-label', label));
  if (detail) box.append(element('span', 'tile-detail', detail));
  return box;
};
const shareTone = (share: number | null | undefined, good: number, warn: number): Tone => (share === null || share === undefined ? undefined : share >= good ? 'good' : share >= warn ? 'warn' : 'bad');
const coverageMinutes = [3, 5, 10, 15];

/** One board's frame: its title, a note when it shows a bigger place, tiles, charts (and a table beside them), a line of notable items, and its CSV link. */
function boardFrame(board: PostureBoard, title: string, csvLabel: string, charts: number) {
  const root = element('section', `board board-${board}`);
  root.dataset.testid = `board-${board}`;
  const heading = element('header', 'board-head');
  const note = element('span', 'board-note');
  const tools = element('span', 'board-tools');
  const csv = element('a', 'board-csv', csvLabel) as HTMLAnchorElement;
  csv.dataset.testid = `csv-${board}`;
  heading.append(element('h2', 'board-title', title), note, element('span', 'spacer'), tools, csv);
  const tiles = element('div', 'tiles');
  const chartBoxes = Array.from({ length: charts }, () => element('div', 'chart'));
  const chartRow = element('div', 'charts');
  const side = element('div', 'board-side');
  chartRow.append(...chartBoxes, side);
  const foot = element('p', 'board-foot');
  root.append(heading, tiles, chartRow, foot);
  let instances: ECharts[] | undefined;
  return {
    root,
    note,
    tools,
    tiles,
    side,
    csv,
    /** A line of notable items (each a button when `choose` is given), under a heading; nothing when there are none. */
    footLine(heading: string, items: { label: string; value: string; testid?: string; choose?: () => void }[]) {
      foot.replaceChildren(
        ...(items.length === 0
          ? []
          : [
              element('span', 'foot-head', heading),
              ...items.map((item) => {
                const chip = element(item.choose ? 'button' : 'span', item.choose ? 'foot-item drill' : 'foot-item');
                if (item.testid) chip.dataset.testid = item.testid;
                if (item.choose) chip.addEventListener('click', item.choose);
                chip.append(element('span', 'foot-label', item.label), element('span', 'foot-value', item.value));
                return chip;
              }),
            ]),
      );
    },
    /** Sets each chart's options; charts are made on first use, once the board is in the page. */
    chart(options: (EChartsCoreOption | undefined)[]) {
      instances ??= chartBoxes.map((box) => init(box, undefined, { renderer: 'canvas' }));
      options.forEach((option, i) => {
        chartBoxes[i]!.hidden = !option;
        if (!option) return;
        // The box may have changed size with what sits beside it: resize costs nothing when it has not.
        instances![i]!.resize();
        instances![i]!.setOption(option, { notMerge: true });
      });
    },
    resize: () => instances?.forEach((chart) => chart.resize()),
  };
}
type Frame = ReturnType<typeof boardFrame>;

/** Mounts the boards the ask lists, each into the element `placeOf` gives it; `render` fills them from a snapshot. */
export function mountBoards(placeOf: (board: PostureBoard) => HTMLElement, boards: readonly PostureBoard[], context: BoardContext) {
  const { language, districtName } = context;
  const t = postureMessagesFor(language);
  const feedNames = messagesFor(language).feeds;
  const format = formatsFor(language);
  const chartCounts: Record<PostureBoard, number> = { cases: 2, units: 2, traffic: 2, buses: 2, feeds: 1 };
  const frames = new Map(boards.map((board) => [board, boardFrame(board, t.boards[board], t.csv, chartCounts[board])]));
  for (const [board, frame] of frames) placeOf(board).append(frame.root);

  const minutePicker = frames.get('units') && element('span', 'minutes');
  if (minutePicker) frames.get('units')!.tools.append(minutePicker);

  const fill: { [board in PostureBoard]: (frame: Frame, snapshot: PostureSnapshot) => void } = {
    cases(frame, snapshot) {
      const cases = snapshot.cases!;
      const sla = cases.handling;
      frame.tiles.replaceChildren(
        tile('cases-opened', t.cases.opened, format.count(cases.opened)),
        tile('cases-closed', t.cases.closed, format.count(cases.closed)),
        tile('cases-open-now', t.cases.openNow, format.count(cases.openNow)),
        tile('cases-overdue-now', t.cases.overdueNow, format.count(cases.overdueNow), cases.overdueNow > 0 ? 'bad' : 'good'),
        tile('cases-on-time', t.cases.onTime, format.share(sla.onTimeShare), shareTone(sla.onTimeShare, 0.9, 0.7)),
        tile('cases-mean-minutes', t.cases.meanMinutes, format.minutes(sla.meanMinutes), undefined, sla.meanSlaMinutes === null ? undefined : `SLA ${format.minutes(sla.meanSlaMinutes)}`),
      );
      const unit = context.unit();
      frame.chart([
        overTimeChart(snapshot, language, unit, [{ name: t.cases.byBucket, values: cases.byBucket, kind: 'bar' }], { empty: t.noData }),
        cases.byCategory.length > 0 ? rankingChart(unit, cases.byCategory.slice(0, 8).map((c) => ({ label: language === 'en' ? c.nameEn : c.nameZh, values: [c.opened] })), [t.cases.byCategory]) : undefined,
      ]);
      // The cells with most cases, each a way down to that cell (not when a cell is already shown).
      frame.footLine(
        t.cases.topCells,
        snapshot.query.cellId ? [] : cases.topCells.slice(0, 5).map((cell) => ({ label: cell.cellId, value: format.count(cell.opened), testid: `cell-${cell.cellId}`, choose: () => context.chooseCell(cell.cellId) })),
      );
    },
    units(frame, snapshot) {
      const { force, coverage } = snapshot.units!;
      const total = (agency: string, duty?: string) => force.filter((row) => row.agency === agency && (!duty || row.duty === duty)).reduce((sum, row) => sum + row.units, 0);
      frame.tiles.replaceChildren(
        ...coverage.agencies.flatMap((agency) => [
          tile(`${agency.agency}-available`, `${t.units[agency.agency]} · ${t.units.duty.available}`, `${format.count(total(agency.agency, 'available'))} / ${format.count(total(agency.agency))}`),
          tile(`${agency.agency}-coverage`, `${t.units[agency.agency]} · ${t.units.coverage(coverage.minutes)}`, format.share(agency.share), shareTone(agency.share, 0.9, 0.6), `${t.units.median} ${format.minutes(agency.medianS === null ? null : agency.medianS / 60)}`),
        ]),
      );
      minutePicker!.replaceChildren(
        ...coverageMinutes.map((minutes) => {
          const button = element('button', minutes === coverage.minutes ? 'chip chosen' : 'chip', t.units.minutes(minutes));
          button.dataset.testid = `minutes-${minutes}`;
          button.addEventListener('click', () => context.chooseMinutes(minutes));
          return button;
        }),
      );
      const unit = context.unit();
      const byDistrict = coverage.agencies[0]!.byDistrict.map((d) => d.districtId);
      frame.chart([
        forceChart(force, districtName, language, unit),
        rankingChart(
          unit,
          byDistrict.map((districtId) => ({
            label: districtName(districtId),
            values: coverage.agencies.map((a) => {
              const row = a.byDistrict.find((d) => d.districtId === districtId);
              return row && row.cells > 0 ? row.covered / row.cells : 0;
            }),
          })),
          coverage.agencies.map((a) => `${t.units[a.agency]} · ${t.units.coverage(coverage.minutes)}`),
          { format: (value) => format.share(value) },
        ),
      ]);
    },
    traffic(frame, snapshot) {
      const traffic = snapshot.traffic!;
      const level = traffic.index === null ? undefined : congestionLevel(traffic.index);
      frame.tiles.replaceChildren(
        tile('traffic-index', t.traffic.index, format.index(traffic.index), level === undefined ? undefined : level === 0 ? 'good' : level === 1 ? 'warn' : 'bad', level === undefined ? t.noData : t.traffic.levels[level]),
        tile('cameras-online', t.traffic.camerasOnline, format.share(traffic.cameras.share), shareTone(traffic.cameras.share, 0.95, 0.85), `${format.count(traffic.cameras.online)} / ${format.count(traffic.cameras.total)}`),
      );
      const unit = context.unit();
      frame.chart([
        overTimeChart(snapshot, language, unit, [{ name: t.traffic.byBucket, values: traffic.byBucket, kind: 'line' }], { format: (value) => format.index(value), empty: t.noData }),
        traffic.byDistrict.length > 1 ? rankingChart(unit, traffic.byDistrict.map((d) => ({ label: districtName(d.districtId), values: [d.index ?? 0] })), [t.traffic.byDistrict], { format: (value) => format.index(value) }) : undefined,
      ]);
      frame.footLine(
        t.traffic.slowest,
        traffic.slowestSegments.slice(0, 4).map((segment) => ({ label: language === 'en' ? segment.nameEn : segment.nameZh, value: `${format.count(segment.speedKmh)} km/h` })),
      );
    },
    buses(frame, snapshot) {
      const buses = snapshot.buses!;
      frame.tiles.replaceChildren(
        tile('buses-on-time', t.buses.onTime, format.share(buses.onTimeShare), shareTone(buses.onTimeShare, 0.85, 0.7)),
        tile('buses-mean-delay', t.buses.meanDelay, format.minutes(buses.meanDelayS === null ? null : buses.meanDelayS / 60)),
        tile('buses-bunching', t.buses.bunching, format.count(buses.bunchingEvents), buses.bunchingEvents > 0 ? 'warn' : undefined),
        tile('buses-late-trips', t.buses.lateTrips, format.count(buses.lateTrips), buses.lateTrips > 0 ? 'warn' : undefined),
        tile('buses-in-service', t.buses.inService, format.count(buses.inServiceNow), undefined, `${t.buses.bunching} ${format.count(buses.bunchedNow)}`),
      );
      const unit = context.unit();
      const routes = [...buses.byRoute].sort((a, b) => b.bunchingEvents + b.lateTrips - (a.bunchingEvents + a.lateTrips) || (a.onTimeShare ?? 1) - (b.onTimeShare ?? 1)).slice(0, 8);
      frame.chart([
        overTimeChart(snapshot, language, unit, [{ name: t.buses.byBucket, values: buses.byBucket, kind: 'line' }], { format: (value) => format.share(value), empty: t.noData }),
        routes.length > 0 ? rankingChart(unit, routes.map((r) => ({ label: language === 'en' ? r.nameEn : r.nameZh, values: [r.bunchingEvents, r.lateTrips] })), [t.buses.bunching, t.buses.lateTrips], { stacked: true }) : undefined,
      ]);
    },
    feeds(frame, snapshot) {
      const feeds = snapshot.feeds!;
      const sourceName = (source: string) => t.feeds.sources[source] ?? source;
      const sources = [...new Set([...feeds.bySource.map((f) => f.source), ...feeds.live.map((f) => f.source)])];
      frame.tiles.replaceChildren(
        ...(snapshot.replayed ? [element('p', 'board-empty', t.notKept.feeds)] : []),
        ...feeds.status.map((status) =>
          tile(
            `feed-${status.feed}`,
            feedNames[status.feed],
            status.stale ? t.feeds.stale : t.feeds.fresh,
            status.stale ? 'bad' : 'good',
            status.lastAcceptedAt ? format.time(status.lastAcceptedAt) : t.noData,
          ),
        ),
      );
      // Per source: the live rate beside the window's totals; each source's colour is its line's in the chart.
      const row = (cells: string[], className = 'feed-row') => {
        const line = element('div', className);
        line.append(...cells.map((text, i) => element('span', i === 0 ? 'feed-source' : 'feed-number', text)));
        return line;
      };
      const colorOf = (source: string) => seriesColors[feeds.byBucket.findIndex((s) => s.source === source) % seriesColors.length];
      frame.side.replaceChildren(
        row(['', t.feeds.perMinute, t.feeds.accepted, t.feeds.rejected], 'feed-row feed-head'),
        ...sources.map((source) => {
          const totals = feeds.bySource.find((f) => f.source === source);
          const perMinute = snapshot.replayed ? null : (feeds.live.find((f) => f.source === source)?.acceptedPerMin ?? 0);
          const line = row([sourceName(source), format.count(perMinute), format.count(totals?.accepted ?? 0), format.count(totals?.rejected ?? 0)]);
          line.dataset.testid = `feed-${source}`;
          const swatch = element('span', 'swatch');
          swatch.style.background = colorOf(source) ?? 'transparent';
          line.firstElementChild!.prepend(swatch);
          if (totals?.rejected) line.lastElementChild!.classList.add('refused');
          return line;
        }),
      );
      frame.chart([overTimeChart(snapshot, language, context.unit(), feeds.byBucket.map((s) => ({ name: sourceName(s.source), values: s.accepted, kind: 'line' })), { legend: false, empty: t.noData })]);
      // GTFS-RT quality issues (the validator's codes, in words) beside the refusals, most first.
      const quality = feeds.qualityByRule.map((q) => ({ label: `${sourceName(q.source)} · ${q.rule} ${t.feeds.rules[q.rule] ?? ''}`.trim(), value: format.count(q.count), testid: `quality-${q.rule}`, count: q.count }));
      const refused = feeds.rejectsByReason.map((r) => ({ label: `${sourceName(r.source)} · ${r.reason}`, value: format.count(r.count), count: r.count }));
      const shown = [...refused, ...quality].sort((a, b) => b.count - a.count).slice(0, 8).map(({ count: _count, ...item }) => item);
      frame.footLine(quality.length > 0 ? t.feeds.reasonsAndQuality : t.feeds.reasons, shown);
    },
  };

  return {
    render(snapshot: PostureSnapshot, ask: PostureAsk): void {
      for (const [board, frame] of frames) {
        // A replayed board exports as it was at its moment; one history does not keep has nothing to export.
        frame.csv.href = `/api/posture/${board}.csv?${askParameters({ ...ask, boards: [...postureBoards] }, snapshot.replayed ? { at: snapshot.at } : {})}`;
        frame.csv.hidden = Boolean(snapshot.replayed) && !snapshot[board];
        frame.csv.download = '';
        // Traffic and buses are per district, feeds city-wide: say so when a smaller place is chosen.
        frame.note.textContent = board === 'feeds' && ask.districtId ? t.wider.city : (board === 'traffic' || board === 'buses') && ask.cellId ? t.wider.district : '';
        frame.tools.hidden = false;
        if (snapshot[board]) fill[board](frame, snapshot);
      }
    },
    resize(): void {
      for (const frame of frames.values()) frame.resize();
    },
  };
}
