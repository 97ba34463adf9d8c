import type { Duty, EntityKind, FeedName, IncidentStatus } from '../streams/index.ts';

export type Language = 'zh-CN' | 'en';

interface Messages {
  title: (cityZh: string, cityEn: string) => string;
  subtitle: string;
  kinds: Record<EntityKind, string>;
  connection: { connecting: string; live: string; reconnecting: string };
  starting: (step: string) => string;
  unreachable: string;
  connectionLost: string;
  slowServer: string;
  updated: (secondsAgo: number) => string;
  feeds: Record<FeedName, string>;
  /** A feed's age for its badge: seconds, minutes, or never seen. */
  age: (secondsAgo: number | null) => string;
  staleFeed: (feed: string) => string;
  traffic: { title: string; free: string; slow: string; congested: string };
  severity: (level: number) => string;
  alerts: string;
  heatmap: string;
  /** What the auto-tour is showing. */
  tour: (place: string) => string;
  /** The tour held by an operator's hand on the map, and when it goes on. */
  tourPaused: (minutes: number) => string;
  wholeCity: string;
  search: { placeholder: string; none: string; failed: string; following: (label: string) => string; stop: string };
  signOut: string;
  dispatch: {
    title: string;
    queue: (count: number) => string;
    emptyQueue: string;
    choose: string;
    status: Record<IncidentStatus, string>;
    /** A button that moves a case to `to` from `from`. */
    step: (from: IncidentStatus, to: IncidentStatus) => string;
    note: string;
    due: (minutes: number) => string;
    overdue: (minutes: number) => string;
    supervised: string;
    candidates: string;
    noCandidates: string;
    needsRegistering: string;
    noUnitsTracked: string;
    eta: (seconds: number) => string;
    road: (metres: number) => string;
    send: string;
    sent: string;
    assignments: string;
    duty: Record<Duty | 'released', string>;
    history: string;
    force: string;
    police: string;
    city: string;
    forceHead: string;
    failed: (what: string) => string;
    wall: string;
    fences: {
      draw: string;
      hint: string;
      name: string;
      watch: string;
      dwell: string;
      save: string;
      cancel: string;
      alerts: (count: number) => string;
      event: Record<'enter' | 'exit' | 'dwell', string>;
      state: Record<'new' | 'acknowledged' | 'assigned' | 'cleared', string>;
      acknowledge: string;
      assignToMe: string;
      clear: string;
    };
    warnings: { draw: string; message: string; send: string };
  };
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
    updated: (s) => `${s} 秒前更新`,
    feeds: { trackers: '定位', buses: '公交', cameras: '视频', reports: '网格' },
    age: (s) => (s === null ? '无数据' : s < 120 ? `${s}秒` : `${Math.round(s / 60)}分`),
    staleFeed: (feed) => `${feed}数据中断：请检查该数据源的设备或网络。`,
    traffic: { title: '路况', free: '畅通', slow: '缓行', congested: '拥堵' },
    severity: (level) => `等级 ${level}`,
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
    dispatch: {
      title: '指挥调度',
      queue: (n) => `待办案件 ${n}`,
      emptyQueue: '没有待办案件。新的上报会自动出现在这里。',
      choose: '从左侧选择一个案件，查看详情和可派力量。',
      status: { reported: '上报', registered: '已登记', dispatched: '已派遣', handling: '办理中', answered: '已反馈', closed: '已结案', cancelled: '已取消' },
      step: (from, to) =>
        to === 'registered' ? (from === 'dispatched' ? '撤回派遣' : from === 'reported' ? '登记' : '重新打开') : { reported: '上报', registered: '登记', dispatched: '批转部门', handling: '开始办理', answered: '反馈', closed: '结案', cancelled: '取消' }[to],
      note: '处理意见（可选）',
      due: (m) => (m >= 120 ? `剩 ${Math.round(m / 60)} 小时` : `剩 ${m} 分钟`),
      overdue: (m) => (m >= 120 ? `超时 ${Math.round(m / 60)} 小时` : `超时 ${m} 分钟`),
      supervised: '督办',
      candidates: '可派力量（按道路到达时间）',
      noCandidates: '附近没有可派的在岗力量。可稍后再试，或批转部门。',
      needsRegistering: '先登记案件，再派遣力量。',
      noUnitsTracked: '该部门的力量不在本系统中：请批转责任部门（消防救援支队、公交集团）。',
      eta: (s) => (s < 60 ? `${s} 秒到达` : `${Math.floor(s / 60)} 分 ${s % 60} 秒到达`),
      road: (m) => `路程 ${(m / 1000).toFixed(1)} 公里`,
      send: '派遣',
      sent: '已派遣',
      assignments: '已派力量',
      duty: { available: '在岗', 'en-route': '途中', 'on-scene': '到场', 'off-duty': '离线', released: '已归队' },
      history: '办理经过',
      force: '力量分布',
      police: '警力',
      city: '网格员',
      forceHead: '在岗 / 出勤 / 离线',
      failed: (what) => `操作没有完成：${what}`,
      wall: '大屏',
      fences: {
        draw: '画电子围栏',
        hint: '在地图上依次点击围栏的各个角，然后填写名称并保存。',
        name: '围栏名称',
        watch: '监视',
        dwell: '滞留报警（分钟，可空）',
        save: '保存围栏',
        cancel: '取消',
        alerts: (n) => `围栏告警 ${n}`,
        event: { enter: '进入', exit: '离开', dwell: '滞留' },
        state: { new: '新', acknowledged: '已确认', assigned: '已指派', cleared: '已清除' },
        acknowledge: '确认',
        assignToMe: '指派给我',
        clear: '清除',
      },
      warnings: { draw: '发布紧急预警', message: '预警内容（发送到所有大屏和短信网关）', send: '发布预警' },
    },
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
    updated: (s) => `updated ${s} s ago`,
    feeds: { trackers: 'GPS', buses: 'Buses', cameras: 'Cameras', reports: 'Reports' },
    age: (s) => (s === null ? 'no data' : s < 120 ? `${s} s` : `${Math.round(s / 60)} min`),
    staleFeed: (feed) => `${feed} feed has gone quiet: check its devices or network.`,
    traffic: { title: 'Traffic', free: 'Free', slow: 'Slow', congested: 'Congested' },
    severity: (level) => `Severity ${level}`,
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
    dispatch: {
      title: 'Dispatch',
      queue: (n) => `Open cases ${n}`,
      emptyQueue: 'No open cases. New reports appear here by themselves.',
      choose: 'Choose a case on the left to see it and the units to send.',
      status: { reported: 'Reported', registered: 'Registered', dispatched: 'Dispatched', handling: 'Handling', answered: 'Answered', closed: 'Closed', cancelled: 'Cancelled' },
      step: (from, to) =>
        to === 'registered' ? (from === 'dispatched' ? 'Take back' : from === 'reported' ? 'Register' : 'Reopen') : { reported: 'Report', registered: 'Register', dispatched: 'Dispatch to department', handling: 'Start handling', answered: 'Answer', closed: 'Close', cancelled: 'Cancel' }[to],
      note: 'Note (optional)',
      due: (m) => (m >= 120 ? `${Math.round(m / 60)} h left` : `${m} min left`),
      overdue: (m) => (m >= 120 ? `${Math.round(m / 60)} h overdue` : `${m} min overdue`),
      supervised: 'Supervised',
      candidates: 'Units to send (by road ETA)',
      noCandidates: 'No available unit on duty nearby. Try again shortly, or dispatch to the department.',
      needsRegistering: 'Register the case before sending units.',
      noUnitsTracked: 'The crews of this agency are not tracked here: dispatch the case to its department (fire brigade, bus operator).',
      eta: (s) => (s < 60 ? `ETA ${s} s` : `ETA ${Math.floor(s / 60)} min ${s % 60} s`),
      road: (m) => `${(m / 1000).toFixed(1)} km by road`,
      send: 'Send',
      sent: 'Sent',
      assignments: 'Units sent',
      duty: { available: 'Available', 'en-route': 'En route', 'on-scene': 'On scene', 'off-duty': 'Off duty', released: 'Released' },
      history: 'History',
      force: 'Force by district',
      police: 'Police',
      city: 'Inspectors',
      forceHead: 'available / busy / off',
      failed: (what) => `Not done: ${what}`,
      wall: 'Wall',
      fences: {
        draw: 'Draw geofence',
        hint: 'Click the corners of the fence on the map in turn, then name it and save.',
        name: 'Fence name',
        watch: 'Watch',
        dwell: 'Dwell alarm (minutes, optional)',
        save: 'Save fence',
        cancel: 'Cancel',
        alerts: (n) => `Geofence alerts ${n}`,
        event: { enter: 'Entered', exit: 'Left', dwell: 'Dwelling' },
        state: { new: 'New', acknowledged: 'Acknowledged', assigned: 'Assigned', cleared: 'Cleared' },
        acknowledge: 'Acknowledge',
        assignToMe: 'Assign to me',
        clear: 'Clear',
      },
      warnings: { draw: 'Issue emergency warning', message: 'Warning text (to every screen and the SMS gateway)', send: 'Issue warning' },
    },
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
