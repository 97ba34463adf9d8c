import type { Duty, PostureBoard, PostureRange } from '../streams/index.ts';
import type { Language } from './i18n.ts';

/** The posture view's words, Chinese and English; numbers go through `formatsFor` in the screen's locale. */
interface PostureMessages {
  title: string;
  ranges: Record<PostureRange, string>;
  /** The live range's name while replaying: the quarter hour before the moment shown. */
  replayedLive: string;
  city: string;
  asOf: (time: string) => string;
  boards: Record<PostureBoard, string>;
  /** Under a board that shows a bigger place than the one chosen. */
  wider: { district: string; city: string };
  csv: string;
  drillHint: string;
  back: string;
  noData: string;
  /** A board, or part of one, that history does not keep, while replaying. */
  notKept: { feeds: string };
  failed: (what: string) => string;
  connectionLost: string;
  wall: string;
  dispatch: string;
  cases: { opened: string; closed: string; openNow: string; overdueNow: string; onTime: string; meanMinutes: string; byCategory: string; byBucket: string; byDistrict: string; topCells: string };
  units: { police: string; city: string; duty: Record<Duty, string>; force: string; coverage: (minutes: number) => string; median: string; minutes: (n: number) => string };
  traffic: { index: string; levels: [string, string, string, string]; byBucket: string; byDistrict: string; slowest: string; camerasOnline: string };
  buses: { onTime: string; meanDelay: string; bunching: string; lateTrips: string; inService: string; byBucket: string; byRoute: string };
  feeds: {
    sources: Record<string, string>;
    perMinute: string;
    accepted: string;
    rejected: string;
    state: string;
    stale: string;
    fresh: string;
    byBucket: string;
    reasons: string;
    /** The heading when quality issues are listed beside the refusals, and each rule in words. */
    reasonsAndQuality: string;
    rules: Record<string, string>;
  };
  minutes: (n: string) => string;
}

const zh: PostureMessages = {
  title: '城市运行态势',
  ranges: { live: '实时', '1h': '近1小时', '24h': '近24小时', '7d': '近7天' },
  replayedLive: '前15分钟',
  city: '全市',
  asOf: (time) => `数据时间 ${time}`,
  boards: { cases: '案件办理', units: '警力与覆盖', traffic: '道路交通', buses: '公交运行', feeds: '数据接入' },
  wider: { district: '（所在区）', city: '（全市）' },
  csv: '导出 CSV',
  drillHint: '点击地图上的区或网格逐级查看',
  back: '返回上一级',
  noData: '暂无数据',
  notKept: { feeds: '实时速率无历史记录；数据源状态按分钟回放' },
  failed: (what) => `读取失败：${what}`,
  connectionLost: '实时连接中断，正在重连；看板暂停更新。若持续出现，请检查服务器和网络。',
  wall: '大屏',
  dispatch: '指挥调度',
  cases: { opened: '新增', closed: '办结', openNow: '在办', overdueNow: '超期', onTime: '按时办结率', meanMinutes: '平均办理时长', byCategory: '按类别新增', byBucket: '按时段新增', byDistrict: '各区新增', topCells: '案件最多的网格' },
  units: {
    police: '警力',
    city: '网格员',
    duty: { available: '可调度', 'en-route': '赶赴中', 'on-scene': '处置中', 'off-duty': '离线' },
    force: '各区力量',
    coverage: (m) => `${m}分钟可达网格`,
    median: '中位到达',
    minutes: (n) => `${n}分钟`,
  },
  traffic: { index: '拥堵延时指数', levels: ['畅通', '缓行', '拥堵', '严重拥堵'], byBucket: '拥堵指数走势', byDistrict: '各区拥堵指数', slowest: '当前最慢路段', camerasOnline: '摄像机在线' },
  buses: { onTime: '准点率', meanDelay: '平均晚点', bunching: '串车', lateTrips: '严重晚点', inService: '在线车辆', byBucket: '准点率走势', byRoute: '各线路' },
  feeds: {
    sources: { osmand: '定位终端', 'gtfs-rt': '公交 GTFS-RT', mqtt: '视频 MQTT', 'http-cameras': '视频 HTTP', open311: '网格上报', alarms: '报警' },
    perMinute: '每分钟',
    accepted: '接收',
    rejected: '拒收',
    state: '状态',
    stale: '中断',
    fresh: '正常',
    byBucket: '接收量走势',
    reasons: '拒收原因',
    reasonsAndQuality: '拒收原因与数据质量',
    rules: {
      E003: '班次不在时刻表',
      E004: '线路不在时刻表',
      E011: '站点不在时刻表',
      E028: '车辆在服务区外',
      E029: '偏离线路超200米',
      W004: '车速不合理',
      W007: '超35秒未刷新',
      W008: '数据头超65秒',
    },
  },
  minutes: (n) => `${n}分钟`,
};

const en: PostureMessages = {
  title: 'City posture',
  ranges: { live: 'Live', '1h': 'Last hour', '24h': 'Last 24 h', '7d': 'Last 7 days' },
  replayedLive: 'Prior 15 min',
  city: 'Whole city',
  asOf: (time) => `As of ${time}`,
  boards: { cases: 'Cases', units: 'Force and coverage', traffic: 'Traffic', buses: 'Buses', feeds: 'Feeds' },
  wider: { district: '(its district)', city: '(whole city)' },
  csv: 'Export CSV',
  drillHint: 'Click a district or grid cell on the map to drill down',
  back: 'Up one level',
  noData: 'No data yet',
  notKept: { feeds: 'Live rates are not kept in history; feed status is replayed by the minute' },
  failed: (what) => `Could not read the boards: ${what}`,
  connectionLost: 'The live connection dropped and is reconnecting; the boards are paused. If this persists, check the server and the network.',
  wall: 'Wall',
  dispatch: 'Dispatch',
  cases: { opened: 'Opened', closed: 'Closed', openNow: 'Open now', overdueNow: 'Overdue now', onTime: 'Closed on time', meanMinutes: 'Mean handling time', byCategory: 'Opened by category', byBucket: 'Opened over time', byDistrict: 'Opened by district', topCells: 'Grid cells with most cases' },
  units: {
    police: 'Police',
    city: 'Inspectors',
    duty: { available: 'Available', 'en-route': 'En route', 'on-scene': 'On scene', 'off-duty': 'Off air' },
    force: 'Force by district',
    coverage: (m) => `Cells reached in ${m} min`,
    median: 'Median reach',
    minutes: (n) => `${n} min`,
  },
  traffic: { index: 'Congestion delay index', levels: ['Free', 'Slow', 'Congested', 'Jammed'], byBucket: 'Congestion over time', byDistrict: 'Congestion by district', slowest: 'Slowest segments now', camerasOnline: 'Cameras online' },
  buses: { onTime: 'On time', meanDelay: 'Mean delay', bunching: 'Bunching', lateTrips: 'Trips 15 min late', inService: 'In service', byBucket: 'On time over time', byRoute: 'By route' },
  feeds: {
    sources: { osmand: 'Trackers (OsmAnd)', 'gtfs-rt': 'Buses (GTFS-RT)', mqtt: 'Cameras (MQTT)', 'http-cameras': 'Cameras (HTTP)', open311: 'Reports (Open311)', alarms: 'Alarms' },
    perMinute: 'Per minute',
    accepted: 'Accepted',
    rejected: 'Refused',
    state: 'State',
    stale: 'Quiet',
    fresh: 'Live',
    byBucket: 'Accepted over time',
    reasons: 'Refused, by reason',
    reasonsAndQuality: 'Refused, and quality issues',
    rules: {
      E003: 'trip not in the timetable',
      E004: 'route not in the timetable',
      E011: 'stop not in the timetable',
      E028: 'vehicle outside the service area',
      E029: 'over 200 m off its route',
      W004: 'unrealistic speed',
      W007: 'not refreshed for 35 s',
      W008: 'header over 65 s old',
    },
  },
  minutes: (n) => `${n} min`,
};

export function postureMessagesFor(language: Language): PostureMessages {
  return language === 'en' ? en : zh;
}

/** Numbers in the screen's locale: counts, shares, indexes, durations. */
export function formatsFor(language: Language) {
  const count = new Intl.NumberFormat(language, { maximumFractionDigits: 0 });
  const share = new Intl.NumberFormat(language, { style: 'percent', maximumFractionDigits: 1 });
  const index = new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const tenths = new Intl.NumberFormat(language, { maximumFractionDigits: 1 });
  const t = postureMessagesFor(language);
  const orDash = <T>(format: (value: T) => string) => (value: T | null | undefined) => (value === null || value === undefined ? '—' : format(value));
  return {
    count: orDash((n: number) => count.format(n)),
    share: orDash((n: number) => share.format(n)),
    index: orDash((n: number) => index.format(n)),
    minutes: orDash((n: number) => t.minutes(tenths.format(n))),
    time: (iso: string) => new Date(iso).toLocaleTimeString(language, { hour12: false }),
    /** A bucket's start on the x axis: the time of day, with the date for a range of days. */
    bucket: (iso: string, withDate: boolean) =>
      new Date(iso).toLocaleString(language, withDate ? { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false } : { hour: '2-digit', minute: '2-digit', hour12: false }),
  };
}

/** The congestion delay index's level, as navigation services band it: below 1.5 free, 1.8 slow, 2.0 congested, above jammed. */
export function congestionLevel(index: number): 0 | 1 | 2 | 3 {
  return index < 1.5 ? 0 : index < 1.8 ? 1 : index < 2 ? 2 : 3;
}
