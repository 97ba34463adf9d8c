// The administrator's console (/admin): users, feed keys, the device registry, the audit log,
// items set aside and the live feeds' health, each a tab, all by clicking, in Chinese or English.
// Every action is an API call under the same permission table and audit as any other client.
import './wall.css';
import './admin.css';
import type { CitySummary, SessionInfo } from '../streams/index.ts';
import { mountDevices } from './admin-devices.ts';
import { adminMessagesFor, adminTabs, type AdminTab } from './admin-i18n.ts';
import { mountFeedKeys, mountUsers } from './admin-people.ts';
import { mountAudit, mountFeedHealth, mountSetAside } from './admin-records.ts';
import type { PanelContext } from './admin-ui.ts';
import { element } from './hud.ts';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { apiCaller, readWhenReady, signOut } from './session.ts';

// How often the feeds tab reads the feeds' health again while it is shown, ms.
const feedsEveryMs = 5_000;
// What each tab takes: a tab the role may not use is not offered.
const tabPermission: Record<AdminTab, string> = { users: 'users:manage', keys: 'feeds:manage', devices: 'devices:manage', audit: 'audit:read', 'set-aside': 'feeds:manage', feeds: 'city:read' };

const language = chooseLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
const messages = messagesFor(language);
const t = adminMessagesFor(language);
document.getElementById('map')?.remove();
document.body.classList.add('admin-page');

const banner = element('div', 'admin-banner');
banner.dataset.testid = 'admin-banner';
banner.setAttribute('role', 'status');
banner.hidden = true;
const say = (message: string | null) => ((banner.hidden = message === null), (banner.textContent = message ?? ''));
document.body.append(banner);
const session = await readWhenReady<SessionInfo>('/api/session', (problem) => say(problem.kind === 'starting' ? messages.starting(problem.step) : messages.unreachable));
const city = await readWhenReady<CitySummary>('/api/city', () => {});
say(null);
const cityName = language === 'en' ? city.nameEn : city.nameZh;
document.title = `${t.title} · ${cityName}`;

const search = new URLSearchParams(location.search);
const header = element('header', 'admin-bar');
const views = element('nav', 'admin-views');
for (const [path, label] of [['/wall', t.views.wall], ['/dispatch', t.views.dispatch], ['/posture', t.views.posture]] as const) {
  const link = element('a', 'admin-link', label) as HTMLAnchorElement;
  link.href = `${path}?lang=${language}`;
  views.append(link);
}
const otherLanguage = element('a', 'admin-link', t.otherLanguage.label) as HTMLAnchorElement;
otherLanguage.dataset.testid = 'admin-language';
const user = element('span', 'user', session.user.displayName);
const signOutButton = element('button', 'sign-out', messages.signOut);
signOutButton.addEventListener('click', () => void signOut(session));
user.append(signOutButton);
header.append(element('h1', 'admin-title', `${cityName} · ${t.title}`), views, element('span', 'spacer'), otherLanguage, user);
document.body.prepend(header);

const offered = adminTabs.filter((tab) => session.permissions.includes(tabPermission[tab]));
if (!offered.includes('users')) {
  const notice = element('p', 'role-notice', t.notAdmin);
  notice.dataset.testid = 'role-notice';
  const wall = element('a', 'role-notice-link', t.views.wall) as HTMLAnchorElement;
  wall.href = `/wall?lang=${language}`;
  notice.append(' ', wall);
  document.body.append(notice);
} else {
  const call = apiCaller(session, { forbidden: t.forbidden, failed: t.failed, unreachable: messages.unreachable }, say);
  const context: PanelContext = { call, say, language };
  const tabs = element('nav', 'admin-tabs');
  const main = element('main', 'admin-main');
  const panels = new Map<AdminTab, { root: HTMLElement; refresh: () => Promise<void> }>();
  const mount = (tab: AdminTab, make: (root: HTMLElement) => { refresh: () => Promise<void> }) => {
    const root = element('section', 'admin-panel');
    root.dataset.testid = `panel-${tab}`;
    root.hidden = true;
    main.append(root);
    panels.set(tab, { root, ...make(root) });
  };
  mount('users', (root) => mountUsers(root, t, context));
  mount('keys', (root) => mountFeedKeys(root, t, context));
  mount('devices', (root) => mountDevices(root, t, { ...context, csrf: session.csrf, city }));
  mount('audit', (root) => mountAudit(root, t, context));
  mount('set-aside', (root) => mountSetAside(root, t, context));
  mount('feeds', (root) => mountFeedHealth(root, t, { ...context, feedNames: messages.feeds }));

  let current: AdminTab = offered.includes(search.get('tab') as AdminTab) ? (search.get('tab') as AdminTab) : 'users';
  const buttons = offered.map((tab) => {
    const button = element('button', 'admin-tab', t.tabs[tab]);
    button.dataset.testid = `tab-${tab}`;
    button.addEventListener('click', () => show(tab));
    return button;
  });
  tabs.append(...buttons);
  const show = (tab: AdminTab) => {
    current = tab;
    say(null);
    offered.forEach((name, i) => buttons[i]!.classList.toggle('selected', name === tab));
    for (const [name, panel] of panels) panel.root.hidden = name !== tab;
    // The address keeps the tab, so a reload or the other language opens the same one.
    search.set('tab', tab);
    history.replaceState(null, '', `/admin?${search}`);
    otherLanguage.href = `/admin?${new URLSearchParams({ ...Object.fromEntries(search), lang: t.otherLanguage.lang })}`;
    void panels.get(tab)!.refresh();
  };
  document.body.append(tabs, main);
  show(current);
  setInterval(() => current === 'feeds' && void panels.get('feeds')!.refresh(), feedsEveryMs);
}
