// The audit log beside the map while replaying (issue 21): what operators and dispatchers did, when,
// in step with the replay's clock (the server sends each line as the clock passes it). It takes the
// force table's place: the force has no history, the actions do.
import type { AuditRecord } from '../streams/index.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';

// The newest lines that fit a side panel read across the room.
const linesShown = 12;

const words = {
  'zh-CN': {
    title: '操作记录（回放）', none: '这段时间没有操作',
    actions: {
      'incident-transition': '案件流转', 'incident-merged': '合并案件', 'incident-from-call': '接警立案', 'unit-assigned': '派出', 'warning-issued': '发布预警',
      'geofence-created': '新建电子围栏', 'geofence-removed': '删除电子围栏', 'geofence-alerts-cleared': '批量解除围栏告警',
      'geofence-alert-acknowledge': '确认围栏告警', 'geofence-alert-assign': '指派围栏告警', 'geofence-alert-clear': '解除围栏告警',
      'sign-in': '登录', 'sign-out': '退出登录',
    } as Record<string, string>,
    objects: { incident: '案件 ', warning: '预警 ', geofence: '围栏 ', 'geofence-alert': '' } as Record<string, string>,
    statuses: { registered: '已登记', dispatched: '已派遣', handling: '办理中', answered: '已反馈', closed: '已结案', cancelled: '已撤销' } as Record<string, string>,
  },
  en: {
    title: 'Actions (replayed)', none: 'No action in this time',
    actions: {
      'incident-transition': 'moved case', 'incident-merged': 'merged case', 'incident-from-call': 'case from a call', 'unit-assigned': 'sent a unit to', 'warning-issued': 'issued warning',
      'geofence-created': 'drew fence', 'geofence-removed': 'removed fence', 'geofence-alerts-cleared': 'cleared fence alerts',
      'geofence-alert-acknowledge': 'acknowledged fence alert', 'geofence-alert-assign': 'assigned fence alert', 'geofence-alert-clear': 'cleared fence alert',
      'sign-in': 'signed in', 'sign-out': 'signed out',
    } as Record<string, string>,
    objects: { incident: '#', warning: '#', geofence: '#', 'geofence-alert': '#' } as Record<string, string>,
    statuses: {} as Record<string, string>,
  },
} as const;

/** One line of the log as the room reads it: time, who, what, to which object, and the outcome. */
export function actionLine(entry: AuditRecord, language: Language): string {
  const w = words[language];
  const time = new Date(entry.at).toLocaleTimeString(language, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
  const after = (entry.after ?? {}) as { status?: string; unitId?: string; message?: string };
  const object = entry.objectId ? `${w.objects[entry.objectType ?? ''] ?? `${entry.objectType ?? ''} `}${entry.objectId}` : '';
  const outcome = after.unitId ?? (after.status ? (w.statuses[after.status] ?? after.status) : after.message) ?? '';
  return [`${time} ${entry.actor}`, `${w.actions[entry.action] ?? entry.action} ${object}`.trim(), outcome].filter(Boolean).join(' · ');
}

/** The replay's action log in `panel`: shown while replaying (CSS), emptied when the replay jumps. */
export function mountActionLog(panel: HTMLElement, language: Language) {
  const w = words[language];
  const list = element('ol', 'wall-actions');
  list.dataset.testid = 'replay-actions';
  panel.append(element('h2', 'wall-panel-title wall-actions-title', w.title), list);
  let entries: AuditRecord[] = [];
  const draw = () => {
    const shown = entries.slice(-linesShown).reverse();
    list.replaceChildren(...(shown.length === 0 ? [element('li', 'wall-muted', w.none)] : shown.map((entry) => element('li', 'wall-action', actionLine(entry, language)))));
  };
  draw();
  return {
    add(more: readonly AuditRecord[]): void {
      entries = [...entries, ...more].slice(-linesShown);
      draw();
    },
    clear(): void {
      entries = [];
      draw();
    },
  };
}
