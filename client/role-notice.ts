// What the signed-in role may do on this view, and where to go instead: said in the page's language,
// before the user tries a button that the server would refuse.
import type { SessionInfo } from '../streams/index.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';

export type View = 'wall' | 'dispatch' | 'posture';
export interface RoleNotice {
  text: string;
  links: { href: string; label: string }[];
}

const roleNames: Record<Language, Record<string, string>> = {
  'zh-CN': { operator: '值班员', dispatcher: '调度员', official: '领导', admin: '管理员' },
  en: { operator: 'an operator', dispatcher: 'a dispatcher', official: 'an official', admin: 'an administrator' },
};
const viewNames: Record<Language, Record<View, string>> = {
  'zh-CN': { wall: '大屏', dispatch: '指挥调度', posture: '态势看板' },
  en: { wall: 'Wall', dispatch: 'Dispatch', posture: 'Posture boards' },
};
const notices: Record<Language, { watchDispatch: (role: string) => string; readDispatch: (role: string) => string; noPolice: (role: string) => string }> = {
  'zh-CN': {
    watchDispatch: (role) => `您以${role}身份登录：可在此查看案件、确认和清除围栏告警；登记、派遣、画围栏和发布预警由调度员操作。`,
    readDispatch: (role) => `您以${role}身份登录：可在此查看案件队列和力量分布，不能派遣、流转案件或画围栏。城市运行态势请看态势看板，实时画面请看大屏。`,
    noPolice: (role) => `您以${role}身份登录：警车和警员的位置需要“警力位置”授权才显示，请联系管理员。`,
  },
  en: {
    watchDispatch: (role) => `Signed in as ${role}: you can follow cases here and acknowledge or clear geofence alerts; registering, sending units, drawing fences and issuing warnings is for dispatchers.`,
    readDispatch: (role) => `Signed in as ${role}: you can read the case queue and the force here, but not send units, move cases or draw fences. For the city’s running posture see the posture boards; for the live picture, the wall.`,
    noPolice: (role) => `Signed in as ${role}: police cars and officers show only with the “police positions” grant; ask an administrator.`,
  },
};

/** The notice for `view`, or null when the role may do everything the view offers. */
export function roleNoticeFor(view: View, session: Pick<SessionInfo, 'user' | 'permissions'>, language: Language, search = ''): RoleNotice | null {
  const may = (permission: string) => session.permissions.includes(permission);
  const role = roleNames[language][session.user.role] ?? session.user.role;
  const link = (to: View) => ({ href: `/${to}${search}`, label: viewNames[language][to] });
  if (view === 'dispatch' && !may('incidents:write')) {
    return may('alerts:write') ? { text: notices[language].watchDispatch(role), links: [link('wall')] } : { text: notices[language].readDispatch(role), links: [link('posture'), link('wall')] };
  }
  if (view === 'wall' && !may('police-units:read')) return { text: notices[language].noPolice(role), links: [link('posture')] };
  return null;
}

/** Puts the notice, if any, at the top of `container`. */
export function mountRoleNotice(container: HTMLElement, notice: RoleNotice | null): void {
  if (!notice) return;
  const box = element('p', 'role-notice', notice.text);
  box.dataset.testid = 'role-notice';
  for (const { href, label } of notice.links) {
    const anchor = element('a', 'role-notice-link', label) as HTMLAnchorElement;
    anchor.href = href;
    box.append(' ', anchor);
  }
  container.prepend(box);
}
