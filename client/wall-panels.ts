// The wall's panels around the map: the alert list (most severe, then newest, each with place,
// age and case state; the tour's stop marked), the city's running figures from the posture boards,
// the force available by district, and a ticker of what just happened.
import type { CitySummary, PostureSnapshot } from '../streams/index.ts';
import type { Alert } from './alert-list.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';
import type { WallFrame } from './wall-layout.ts';

// More would not be read from across the room; the list shows what fits of these.
const listedAlerts = 30;
const tickerItems = 6;

const words = {
  'zh-CN': {
    alerts: (n: number) => `告警 ${n}`,
    noAlerts: '当前没有告警',
    kpis: '城市运行',
    force: '可派力量（警力 / 网格员）',
    ticker: '最新动态',
    nothingYet: '暂无',
    age: (minutes: number) => (minutes < 1 ? '刚刚' : minutes < 60 ? `${minutes} 分钟前` : `${Math.floor(minutes / 60)} 小时前`),
    states: { registered: '已登记', dispatched: '已派遣', handling: '办理中', handled: '办理中', answered: '已反馈', reported: '待确认' } as Record<string, string>,
    figures: { open: '在办案件', overdue: '超时', police: '可派警力', inspectors: '可派网格员', congestion: '拥堵指数', onTime: '公交准点率', feeds: '数据源正常' },
    reading: '读取中…',
  },
  en: {
    alerts: (n: number) => `Alerts ${n}`,
    noAlerts: 'No alerts now',
    kpis: 'The city',
    force: 'Available (police / inspectors)',
    ticker: 'Just happened',
    nothingYet: 'nothing yet',
    age: (minutes: number) => (minutes < 1 ? 'just now' : minutes < 60 ? `${minutes} min ago` : `${Math.floor(minutes / 60)} h ago`),
    states: { registered: 'registered', dispatched: 'dispatched', handling: 'handling', handled: 'handling', answered: 'answered', reported: 'to confirm' } as Record<string, string>,
    figures: { open: 'Open cases', overdue: 'Overdue', police: 'Police free', inspectors: 'Inspectors free', congestion: 'Congestion', onTime: 'Buses on time', feeds: 'Feeds live' },
    reading: 'reading…',
  },
} as const;

/**
 * The figures the KPI panel shows, from one posture snapshot (the tests compare them with
 * /api/posture). A figure not in the snapshot (a board not read) is a dash.
 */
export function wallFigures(snapshot: PostureSnapshot): WallFigures {
  const force = snapshot.units?.force;
  const available = (agency: 'police' | 'city') => (force ? force.filter((f) => f.agency === agency && f.duty === 'available').reduce((sum, f) => sum + f.units, 0) : null);
  const feeds = snapshot.feeds?.status ?? [];
  return {
    open: snapshot.cases?.openNow ?? null,
    overdue: snapshot.cases?.overdueNow ?? null,
    police: available('police'),
    inspectors: available('city'),
    congestion: snapshot.traffic?.index ?? null,
    onTime: snapshot.buses?.onTimeShare ?? null,
    feeds: feeds.length === 0 ? null : `${feeds.filter((f) => !f.stale).length}/${feeds.length}`,
  };
}

export interface WallFigures {
  open: number | null;
  overdue: number | null;
  police: number | null;
  inspectors: number | null;
  congestion: number | null;
  onTime: number | null;
  feeds: string | null;
}

export function mountWallPanels(frame: WallFrame, city: CitySummary, language: Language) {
  const w = words[language];
  const name = (named: { nameZh: string; nameEn: string }) => (language === 'en' ? named.nameEn : named.nameZh);
  // Where an alert is, as the room says it: its district.
  const placeOf = (lon: number, lat: number) => {
    const district = city.districts.find(({ bbox: [w0, s, e, n] }) => lon >= w0 && lon <= e && lat >= s && lat <= n);
    return district ? name(district) : '';
  };
  const heading = (text: string) => element('h2', 'wall-panel-title', text);
  const alertsTitle = heading(w.alerts(0));
  const alertItems = element('ol', 'wall-alert-list');
  frame.alerts.append(alertsTitle, alertItems);
  const kpiTiles = element('div', 'wall-kpi-tiles');
  frame.kpis.append(heading(w.kpis), kpiTiles);
  const forceRows = element('table', 'wall-force-table');
  frame.force.append(heading(w.force), forceRows);
  const tickerLine = element('p', 'wall-ticker-line', w.nothingYet);
  frame.ticker.append(heading(w.ticker), tickerLine);
  kpiTiles.append(element('p', 'wall-muted', w.reading));

  const formats: Record<keyof WallFigures, (value: number | string) => string> = {
    open: String,
    overdue: String,
    police: String,
    inspectors: String,
    congestion: (v) => Number(v).toFixed(2),
    onTime: (v) => `${Math.round(Number(v) * 100)}%`,
    feeds: String,
  };
  /** Redraws the figures' tiles; a figure not known (null) shows as a dash. */
  const showFigures = (figures: WallFigures) => {
    kpiTiles.replaceChildren(
      ...(Object.keys(figures) as (keyof WallFigures)[]).map((key) => {
        const value = figures[key];
        const tile = element('div', `wall-kpi${key === 'overdue' && Number(value) > 0 ? ' alarm' : ''}`);
        tile.dataset.testid = `kpi-${key}`;
        tile.dataset.value = value === null ? '' : String(value);
        tile.append(element('span', 'wall-kpi-value', value === null ? '—' : formats[key](value)), element('span', 'wall-kpi-label', w.figures[key]));
        return tile;
      }),
    );
  };
  return {
    /** Redraws the alert list and the ticker; `toured` is the alert the tour is on. */
    showAlerts(alerts: readonly Alert[], toured: string | null, now = Date.now()) {
      alertsTitle.textContent = w.alerts(alerts.length);
      const ranked = [...alerts].sort((a, b) => b.severity - a.severity || b.at - a.at).slice(0, listedAlerts);
      alertItems.replaceChildren(
        ...ranked.map((alert) => {
          const item = element('li', `wall-alert severity-${Math.min(4, alert.severity)}${alert.id === toured ? ' toured' : ''}`);
          item.dataset.testid = `wall-alert-${alert.id}`;
          const state = alert.state ? w.states[alert.state] ?? alert.state : '';
          const where = [placeOf(alert.lon, alert.lat), w.age(Math.floor((now - alert.at) / 60_000)), state].filter(Boolean).join(' · ');
          item.append(element('span', 'wall-alert-title', alert.title), element('span', 'wall-alert-where', where));
          return item;
        }),
      );
      if (ranked.length === 0) alertItems.append(element('li', 'wall-muted', w.noAlerts));
      const latest = [...alerts].sort((a, b) => b.at - a.at).slice(0, tickerItems);
      tickerLine.textContent = latest.length === 0 ? w.nothingYet : latest.map((a) => `${new Date(a.at).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', hour12: false })} ${a.title}`).join('　·　');
    },
    /** Redraws the figures and the force from a posture snapshot (replaying, the action log shows in the force's place). */
    showPosture(snapshot: PostureSnapshot) {
      showFigures(wallFigures(snapshot));
      if (!snapshot.units) return;
      const byDistrict = new Map<string, [number, number]>();
      for (const f of snapshot.units?.force ?? []) {
        if (f.duty !== 'available' || !f.districtId) continue;
        const row = byDistrict.get(f.districtId) ?? [0, 0];
        row[f.agency === 'police' ? 0 : 1] += f.units;
        byDistrict.set(f.districtId, row);
      }
      forceRows.replaceChildren(
        ...city.districts.map((district) => {
          const [police, inspectors] = byDistrict.get(district.id) ?? [0, 0];
          const row = element('tr', '');
          row.dataset.testid = `force-${district.id}`;
          row.append(element('td', '', name(district)), element('td', 'wall-number', String(police)), element('td', 'wall-number', String(inspectors)));
          return row;
        }),
      );
    },
  };
}
