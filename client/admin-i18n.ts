import type { EntityKind } from '../streams/index.ts';
import type { Language } from './i18n.ts';

export const adminTabs = ['users', 'keys', 'devices', 'audit', 'set-aside', 'feeds'] as const;
export type AdminTab = (typeof adminTabs)[number];

/** The admin console's words, Chinese and English. */
export interface AdminMessages {
  title: string;
  tabs: Record<AdminTab, string>;
  otherLanguage: { label: string; lang: Language };
  roles: Record<'operator' | 'dispatcher' | 'official' | 'admin', string>;
  kinds: Record<EntityKind, string>;
  feeds: Record<'cameras' | 'open311' | 'alarms', string>;
  views: Record<'wall' | 'dispatch' | 'posture', string>;
  forbidden: string;
  failed: (what: string) => string;
  notAdmin: string;
  saved: string;
  users: {
    id: string;
    name: string;
    role: string;
    policeGrant: string;
    password: string;
    add: string;
    state: string;
    disabled: string;
    active: string;
    disable: string;
    enable: string;
    resetPassword: string;
    newPassword: (id: string) => string;
    save: string;
  };
  keys: {
    name: string;
    feed: string;
    issue: string;
    issued: (name: string) => string;
    once: string;
    createdBy: string;
    createdAt: string;
    state: string;
    disable: string;
    enable: string;
    active: string;
    disabled: string;
  };
  devices: {
    id: string;
    kind: string;
    label: string;
    agency: string;
    district: string;
    lastFix: string;
    register: string;
    importCsv: string;
    importHint: string;
    imported: (count: number) => string;
    retire: string;
    retired: string;
    showRetired: string;
    search: string;
    shown: (shown: number, total: number) => string;
    never: string;
    problems: (count: number) => string;
    line: (line: number) => string;
  };
  audit: {
    at: string;
    actor: string;
    action: string;
    object: string;
    change: string;
    since: string;
    filter: string;
    exportCsv: string;
    none: string;
  };
  setAside: {
    at: string;
    pipeline: string;
    error: string;
    item: string;
    replay: string;
    replayed: (by: string, at: string) => string;
    none: string;
  };
  feedHealth: {
    feed: string;
    lastAccepted: string;
    state: string;
    live: string;
    stale: string;
    never: string;
    ago: (seconds: number) => string;
  };
}

const zh: AdminMessages = {
  title: '系统管理',
  tabs: { users: '用户', keys: '接入密钥', devices: '设备登记', audit: '审计日志', 'set-aside': '暂存数据', feeds: '数据源状态' },
  otherLanguage: { label: 'English', lang: 'en' },
  roles: { operator: '值班员', dispatcher: '调度员', official: '领导', admin: '管理员' },
  kinds: { 'police-car': '警车', 'police-officer': '警员', inspector: '网格员', bus: '公交车', taxi: '出租车', truck: '货车' },
  feeds: { cameras: '摄像头', open311: '市民上报（Open311）', alarms: '110/119/122 警情与来电' },
  views: { wall: '大屏', dispatch: '指挥调度', posture: '态势看板' },
  forbidden: '您的角色不能执行此操作；如需要，请联系管理员。',
  failed: (what) => `操作没有完成：${what}`,
  notAdmin: '系统管理仅供管理员使用。请用管理员账号登录，或返回大屏。',
  saved: '已保存。',
  users: {
    id: '账号',
    name: '姓名',
    role: '角色',
    policeGrant: '可看警力位置',
    password: '初始密码（至少 10 位）',
    add: '添加用户',
    state: '状态',
    disabled: '已停用',
    active: '正常',
    disable: '停用',
    enable: '启用',
    resetPassword: '重置密码',
    newPassword: (id) => `${id} 的新密码（至少 10 位）`,
    save: '保存',
  },
  keys: {
    name: '名称（谁在用）',
    feed: '数据源',
    issue: '签发密钥',
    issued: (name) => `「${name}」的密钥：`,
    once: '密钥只显示这一次：请立即复制并交给接入方。',
    createdBy: '签发人',
    createdAt: '签发时间',
    state: '状态',
    disable: '停用',
    enable: '启用',
    active: '有效',
    disabled: '已停用',
  },
  devices: {
    id: '设备号（终端 ID）',
    kind: '类型',
    label: '车牌 / 呼号',
    agency: '所属单位',
    district: '所属街道',
    lastFix: '最近定位',
    register: '登记设备',
    importCsv: '导入 CSV',
    importHint: 'CSV 第一行为列名：id,kind,label,agency,district；整份文件要么全部导入，要么不导入。',
    imported: (n) => `已导入 ${n} 台设备。`,
    retire: '注销',
    retired: '已注销',
    showRetired: '显示已注销',
    search: '按设备号、车牌或单位查找',
    shown: (shown, total) => `显示 ${shown} / 共 ${total} 台`,
    never: '从未',
    problems: (n) => `有 ${n} 处问题，未导入任何设备：`,
    line: (line) => `第 ${line} 行`,
  },
  audit: { at: '时间', actor: '操作人', action: '操作', object: '对象', change: '变更', since: '起始时间', filter: '筛选', exportCsv: '导出 CSV', none: '没有符合条件的记录。' },
  setAside: { at: '暂存时间', pipeline: '数据类型', error: '数据库拒绝原因', item: '内容', replay: '重新处理', replayed: (by, at) => `已由 ${by} 于 ${at} 重新处理`, none: '没有暂存数据：所有接收的数据都已入库。' },
  feedHealth: { feed: '数据源', lastAccepted: '最近接收', state: '状态', live: '正常', stale: '中断', never: '从未接收', ago: (s) => (s < 120 ? `${s} 秒前` : `${Math.round(s / 60)} 分钟前`) },
};

const en: AdminMessages = {
  title: 'Administration',
  tabs: { users: 'Users', keys: 'Feed keys', devices: 'Devices', audit: 'Audit log', 'set-aside': 'Set aside', feeds: 'Feeds' },
  otherLanguage: { label: '中文', lang: 'zh-CN' },
  roles: { operator: 'Operator', dispatcher: 'Dispatcher', official: 'Official', admin: 'Administrator' },
  kinds: { 'police-car': 'Police car', 'police-officer': 'Police officer', inspector: 'Inspector', bus: 'Bus', taxi: 'Taxi', truck: 'Truck' },
  feeds: { cameras: 'Cameras', open311: 'Citizen reports (Open311)', alarms: '110/119/122 alarms and calls' },
  views: { wall: 'Wall', dispatch: 'Dispatch', posture: 'Posture boards' },
  forbidden: 'Your role may not do this; ask an administrator if you need it.',
  failed: (what) => `Not done: ${what}`,
  notAdmin: 'Administration is for administrators. Sign in with an administrator account, or go back to the wall.',
  saved: 'Saved.',
  users: {
    id: 'User id',
    name: 'Name',
    role: 'Role',
    policeGrant: 'May see police positions',
    password: 'First password (10 characters or more)',
    add: 'Add user',
    state: 'State',
    disabled: 'Disabled',
    active: 'Active',
    disable: 'Disable',
    enable: 'Enable',
    resetPassword: 'Reset password',
    newPassword: (id) => `New password for ${id} (10 characters or more)`,
    save: 'Save',
  },
  keys: {
    name: 'Name (who uses it)',
    feed: 'Feed',
    issue: 'Issue key',
    issued: (name) => `Key for “${name}”:`,
    once: 'The key is shown this once: copy it now and hand it to the sender.',
    createdBy: 'Issued by',
    createdAt: 'Issued',
    state: 'State',
    disable: 'Disable',
    enable: 'Enable',
    active: 'Active',
    disabled: 'Disabled',
  },
  devices: {
    id: 'Device id (tracker id)',
    kind: 'Kind',
    label: 'Plate / call sign',
    agency: 'Agency',
    district: 'District',
    lastFix: 'Last fix',
    register: 'Register device',
    importCsv: 'Import CSV',
    importHint: 'The first line of the CSV names the columns: id,kind,label,agency,district. A file is imported whole or not at all.',
    imported: (n) => `${n} devices imported.`,
    retire: 'Retire',
    retired: 'Retired',
    showRetired: 'Show retired',
    search: 'Find by device id, plate or agency',
    shown: (shown, total) => `${shown} of ${total} shown`,
    never: 'never',
    problems: (n) => `${n} problem${n === 1 ? '' : 's'}; nothing imported:`,
    line: (line) => `line ${line}`,
  },
  audit: { at: 'When', actor: 'Who', action: 'Action', object: 'Object', change: 'Change', since: 'Since', filter: 'Filter', exportCsv: 'Export CSV', none: 'No entries match.' },
  setAside: { at: 'Set aside', pipeline: 'Kind', error: 'Why the database refused it', item: 'Item', replay: 'Replay', replayed: (by, at) => `replayed by ${by} at ${at}`, none: 'Nothing set aside: every accepted item is stored.' },
  feedHealth: { feed: 'Feed', lastAccepted: 'Last accepted', state: 'State', live: 'Live', stale: 'Stale', never: 'never', ago: (s) => (s < 120 ? `${s} s ago` : `${Math.round(s / 60)} min ago`) },
};

export function adminMessagesFor(language: Language): AdminMessages {
  return language === 'en' ? en : zh;
}
