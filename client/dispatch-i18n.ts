import type { Duty, IncidentStatus } from '../streams/index.ts';
import type { Language } from './i18n.ts';

/** The dispatch console's words, Chinese and English. */
export interface DispatchMessages {
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
  /** In the force panel's place while replaying. */
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
    /** Clears every alert of one fence at once. */
    clearFence: (fence: string, count: number) => string;
    /** How often an alert repeated within its cool-down. */
    repeats: (count: number) => string;
    watchNothing: string;
  };
  warnings: {
    draw: string;
    hint: string;
    message: string;
    severity: string;
    severities: Record<2 | 3 | 4, string>;
    send: string;
    /** The warnings issued in the last 24 h, on the map and listed with their delivery. */
    issued: (count: number) => string;
    delivery: Record<'pending' | 'delivered' | 'failed' | 'not-configured', string>;
  };
  /** A refusal for the signed-in role, in the page's language rather than the server's. */
  forbidden: string;
  intake: {
    open: string;
    title: string;
    phone: string;
    line: string;
    noLine: string;
    category: string;
    severity: string;
    /** The category's own severity, as the default choice. */
    categorySeverity: string;
    severities: Record<1 | 2 | 3 | 4, string>;
    where: string;
    wherePlaceholder: string;
    /** Where the case is now: a place picked, or a point clicked on the map. */
    at: (place: string) => string;
    clicked: (lon: number, lat: number) => string;
    noPlace: string;
    notFound: string;
    description: string;
    register: string;
    cancel: string;
    /** What is still missing before the case can be registered. */
    missing: (fields: string[]) => string;
    stored: string;
  };
  /** The fleet of the case's kinds on the map, by duty. */
  fleet: (counts: Record<'available' | 'en-route' | 'on-scene' | 'off-duty', number>) => string;
  duplicateOf: (id: number) => string;
  merge: (id: number) => string;
  nearby: string;
  nearbyNone: string;
  nearbyFound: (incidents: number, cameraEvents: number, units: number) => string;
  metres: (m: number) => string;
}

const dispatchMessages: Record<Language, DispatchMessages> = {
  'zh-CN': {
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
      clearFence: (fence, n) => `清除「${fence}」全部 ${n} 条`,
      repeats: (n) => `重复 ${n} 次`,
      watchNothing: '请至少勾选一种要监视的对象，否则围栏不会报警。',
    },
    warnings: {
      draw: '发布紧急预警',
      hint: '在地图上依次点击预警区域的各个角，选择级别，填写预警内容后发布。',
      message: '预警内容（发送到所有大屏和短信网关）',
      severity: '级别',
      severities: { 2: '一般（蓝）', 3: '较重（橙）', 4: '严重（红）' },
      send: '发布预警',
      issued: (n) => `已发布预警 ${n}`,
      delivery: { pending: '短信网关发送中', delivered: '短信网关已接收', failed: '短信网关发送失败，请检查网关', 'not-configured': '仅大屏（未配置短信网关）' },
    },
    forbidden: '您的角色不能执行此操作；如需要，请联系管理员调整权限。',
    intake: {
      open: '＋ 新建案件（来电）',
      title: '来电登记',
      phone: '来电号码',
      line: '来电线路',
      noLine: '其他',
      category: '事件类别',
      severity: '紧急程度',
      categorySeverity: '按类别默认',
      severities: { 1: '1 一般', 2: '2 较重', 3: '3 严重', 4: '4 特别严重' },
      where: '事发地点',
      wherePlaceholder: '输入路口、道路、站点、社区或地名，或在地图上点击',
      at: (place) => `地点：${place}`,
      clicked: (lon, lat) => `地图选点：${lon.toFixed(5)}, ${lat.toFixed(5)}`,
      noPlace: '尚未选择地点：从搜索结果中选择，或在地图上点击事发位置。',
      notFound: '没有找到这个地点。换个说法（如“友谊路与准噶尔街”），或在地图上点击。',
      description: '情况描述',
      register: '登记案件',
      cancel: '取消',
      missing: (fields) => `还需要填写：${fields.join('、')}`,
      stored: '来电已保存，案件稍后出现在待办列表中。',
    },
    fleet: (c) => `力量：在岗 ${c.available} · 途中 ${c['en-route']} · 到场 ${c['on-scene']} · 离线 ${c['off-duty']}`,
    duplicateOf: (id) => `可能与案件 #${id} 重复`,
    merge: (id) => `合并到 #${id}`,
    nearby: '附近还发生了什么',
    nearbyNone: '前后一小时内，500 米内没有其他案件、摄像头事件或经过的力量。',
    nearbyFound: (i, c, u) => `500 米、前后一小时内：案件 ${i} · 摄像头事件 ${c} · 经过力量 ${u}`,
    metres: (m) => `${Math.round(m)} 米`,
  },
  en: {
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
      clearFence: (fence, n) => `Clear all ${n} of “${fence}”`,
      repeats: (n) => `repeated ${n}×`,
      watchNothing: 'Tick at least one kind to watch, or the fence will never raise an alert.',
    },
    warnings: {
      draw: 'Issue emergency warning',
      hint: 'Click the corners of the warned area on the map in turn, choose the severity, write the warning, then issue it.',
      message: 'Warning text (to every screen and the SMS gateway)',
      severity: 'Severity',
      severities: { 2: 'Advisory (blue)', 3: 'Serious (orange)', 4: 'Severe (red)' },
      send: 'Issue warning',
      issued: (n) => `Warnings issued ${n}`,
      delivery: { pending: 'sending to the SMS gateway', delivered: 'taken by the SMS gateway', failed: 'SMS gateway failed: check the gateway', 'not-configured': 'screens only (no SMS gateway configured)' },
    },
    forbidden: 'Your role may not do this; ask an administrator if you need it.',
    intake: {
      open: '+ New case (phone call)',
      title: 'New case from a call',
      phone: "Caller's number",
      line: 'Line',
      noLine: 'Other',
      category: 'What happened',
      severity: 'Severity',
      categorySeverity: "The category's own",
      severities: { 1: '1 minor', 2: '2 serious', 3: '3 severe', 4: '4 critical' },
      where: 'Where',
      wherePlaceholder: 'Type a crossing, road, stop, community or place, or click the map',
      at: (place) => `At: ${place}`,
      clicked: (lon, lat) => `Clicked on the map: ${lon.toFixed(5)}, ${lat.toFixed(5)}`,
      noPlace: 'No place yet: choose a search result, or click where it happened on the map.',
      notFound: 'No such place. Try it another way (e.g. “Youyi Rd & Zhunge St”), or click the map.',
      description: 'What the caller says',
      register: 'Register case',
      cancel: 'Cancel',
      missing: (fields) => `Still needed: ${fields.join(', ')}`,
      stored: 'The call is stored; its case appears in the queue shortly.',
    },
    fleet: (c) => `Fleet: ${c.available} available · ${c['en-route']} en route · ${c['on-scene']} on scene · ${c['off-duty']} off duty`,
    duplicateOf: (id) => `Probably a repeat of case #${id}`,
    merge: (id) => `Merge into #${id}`,
    nearby: 'What else happened near here',
    nearbyNone: 'Nothing else within 500 m and an hour either side: no case, camera event or unit passing.',
    nearbyFound: (i, c, u) => `Within 500 m, an hour either side: ${i} cases · ${c} camera events · ${u} units passed`,
    metres: (m) => `${Math.round(m)} m`,
  },
};

export function dispatchMessagesFor(language: Language): DispatchMessages {
  return dispatchMessages[language];
}
