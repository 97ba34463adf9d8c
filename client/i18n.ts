import type { EntityKind, FeedName } from '../streams/index.ts';

export type Language = 'zh-CN' | 'en';

export interface Messages {
  title: (cityZh: string, cityEn: string) => string;
  subtitle: string;
  kinds: Record<EntityKind, string>;
  connection: { connecting: string; live: string; reconnecting: string };
  starting: (step: string) => string;
  unreachable: string;
  connectionLost: string;
  slowServer: string;
  /** The server is behind applying input by `seconds`. */
  behind: (seconds: number) => string;
  /** The server's database is not answering; input has waited `seconds`. */
  databaseDown: (seconds: number) => string;
  updated: (secondsAgo: number) => string;
  feeds: Record<FeedName, string>;
  /** A feed's age for its badge: seconds, minutes, or never seen. */
  age: (secondsAgo: number | null) => string;
  staleFeed: (feed: string) => string;
  traffic: { title: string; free: string; slow: string; congested: string };
  severity: (level: number) => string;
  /** A clicked cluster: how many of what, and that the map zoomed in to show each. */
  cluster: { title: (count: number, kind: string) => string; hint: string };
  alerts: string;
  heatmap: string;
  /** What the auto-tour is showing. */
  tour: (place: string) => string;
  /** The tour held by an operator's hand on the map, and when it goes on. */
  tourPaused: (minutes: number) => string;
  wholeCity: string;
  search: { placeholder: string; none: string; failed: string; following: (label: string) => string; stop: string };
  signOut: string;
  signIn: {
    title: string;
    user: string;
    password: string;
    submit: string;
    wrong: string;
    missing: string;
    tooMany: (minutes: number) => string;
    demo: (users: string, password: string) => string;
  };
}

const messages: Record<Language, Messages> = {
  'zh-CN': {
    title: (cityZh) => `${cityZh}城市大脑`,
    subtitle: '一屏观全城',
    kinds: { 'police-car': '警车', 'police-officer': '警员', inspector: '网格员', bus: '公交车', taxi: '出租车', truck: '货运车辆' },
    connection: { connecting: '连接中', live: '实时', reconnecting: '重连中' },
    starting: (step) => `服务器正在启动（${step}），稍候自动重试。`,
    unreachable: '无法连接服务器：请确认 onescreen 正在运行，页面会自动重试。',
    connectionLost: '实时连接中断，正在重连；位置暂停更新。若持续出现，请检查服务器和网络。',
    slowServer: '服务器响应缓慢，实时数据尚未到达，正在自动重试。若持续出现，请检查服务器负载。',
    behind: (s) => `数据处理滞后 ${s} 秒：位置照常更新，案件、告警和统计随后补齐。若持续出现，请检查服务器负载。`,
    databaseDown: (s) => `数据库无响应（已 ${s} 秒）：位置照常更新，接入数据已存盘，恢复后按序补入。请检查数据库。`,
    updated: (s) => `${s} 秒前更新`,
    feeds: { trackers: '定位', buses: '公交', cameras: '视频', reports: '网格' },
    age: (s) => (s === null ? '无数据' : s < 120 ? `${s}秒` : `${Math.round(s / 60)}分`),
    staleFeed: (feed) => `${feed}数据中断：请检查该数据源的设备或网络。`,
    traffic: { title: '路况', free: '畅通', slow: '缓行', congested: '拥堵' },
    severity: (level) => `等级 ${level}`,
    cluster: { title: (count, kind) => `${kind}：${count}`, hint: '已放大地图，逐个显示。' },
    alerts: '告警',
    heatmap: '事件热力',
    tour: (place) => `巡航 · ${place}`,
    tourPaused: (minutes) => `巡航暂停 · ${minutes} 分钟后继续`,
    wholeCity: '全城',
    search: {
      placeholder: '搜索：警号、车牌、摄像机、地名（按 / 键）',
      none: '没有找到。可输入编号、车牌或地名的一部分。',
      failed: '搜索失败：服务器没有应答，请稍后再试。',
      following: (label) => `跟随 · ${label}`,
      stop: '停止跟随',
    },
    signOut: '退出',
    signIn: {
      title: '登录',
      user: '用户名',
      password: '密码',
      submit: '登录',
      wrong: '用户名或密码不正确，或账号已停用。请检查后重试，或联系管理员。',
      missing: '请填写用户名和密码。',
      tooMany: (minutes) => `登录失败次数过多，请 ${minutes} 分钟后再试，或请管理员重置密码。`,
      demo: (users, password) => `演示模式：可用 ${users} 登录，密码均为 ${password}`,
    },
  },
  en: {
    title: (_cityZh, cityEn) => `${cityEn} City Brain`,
    subtitle: 'One screen sees the whole city',
    kinds: { 'police-car': 'Police cars', 'police-officer': 'Police officers', inspector: 'Grid inspectors', bus: 'Buses', taxi: 'Taxis', truck: 'Trucks' },
    connection: { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting' },
    starting: (step) => `The server is starting (${step}); retrying automatically.`,
    unreachable: 'Cannot reach the server: check that onescreen is running; this page retries by itself.',
    connectionLost: 'Live connection lost, reconnecting; positions are paused. If this persists, check the server and the network.',
    slowServer: 'The server is slow to answer and live data has not arrived yet; retrying by itself. If this persists, check the server’s load.',
    behind: (s) => `Processing is ${s} s behind: positions keep moving; cases, alerts and figures follow as it catches up. If this persists, check the server’s load.`,
    databaseDown: (s) => `The database is not answering (${s} s): positions keep moving, input is kept on disk and applied in order once it is back. Check the database.`,
    updated: (s) => `updated ${s} s ago`,
    feeds: { trackers: 'GPS', buses: 'Buses', cameras: 'Cameras', reports: 'Reports' },
    age: (s) => (s === null ? 'no data' : s < 120 ? `${s} s` : `${Math.round(s / 60)} min`),
    staleFeed: (feed) => `${feed} feed has gone quiet: check its devices or network.`,
    traffic: { title: 'Traffic', free: 'Free', slow: 'Slow', congested: 'Congested' },
    severity: (level) => `Severity ${level}`,
    cluster: { title: (count, kind) => `${count} ${kind.toLowerCase()}`, hint: 'The map zoomed in to show each one.' },
    alerts: 'Alerts',
    heatmap: 'Event heat',
    tour: (place) => `Tour · ${place}`,
    tourPaused: (minutes) => `Tour paused · resumes in ${minutes} min`,
    wholeCity: 'Whole city',
    search: {
      placeholder: 'Search: unit, plate, camera, place (press /)',
      none: 'Nothing found. Try part of an id, a plate or a place name.',
      failed: 'Search failed: the server did not answer; try again shortly.',
      following: (label) => `Following · ${label}`,
      stop: 'Stop following',
    },
    signOut: 'Sign out',
    signIn: {
      title: 'Sign in',
      user: 'User id',
      password: 'Password',
      submit: 'Sign in',
      wrong: 'Wrong user id or password, or the account is disabled. Check both and try again, or ask an administrator.',
      missing: 'Enter your user id and password.',
      tooMany: (minutes) => `Too many failed sign-ins: try again in ${minutes} min, or ask an administrator to reset the password.`,
      demo: (users, password) => `Demo mode: sign in as ${users}, password ${password}`,
    },
  },
};

/** `?lang=zh-CN|en` wins; otherwise the browser's first language that is Chinese or English. */
export function chooseLanguage(search: string, browserLanguages: readonly string[]): Language {
  const asked = new URLSearchParams(search).get('lang');
  if (asked === 'zh-CN' || asked === 'en') return asked;
  for (const language of browserLanguages) {
    if (language.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (language.toLowerCase().startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

export function messagesFor(language: Language): Messages {
  return messages[language];
}
