// The admin console's users and feed keys: add a user, change role and grants, disable, reset a
// password; issue a feed key (shown once), disable or enable one.
import type { AdminMessages } from './admin-i18n.ts';
import { button, formRow, input, labelled, select, shortTime, table, type PanelContext } from './admin-ui.ts';
import { element } from './hud.ts';

interface User {
  id: string;
  displayName: string;
  role: keyof AdminMessages['roles'];
  grants: string[];
  disabled: boolean;
}
interface FeedKey {
  id: string;
  name: string;
  feed: keyof AdminMessages['feeds'];
  createdBy: string;
  createdAt: string;
  disabled: boolean;
}
const roles = ['operator', 'dispatcher', 'official', 'admin'] as const;
const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body) });

export function mountUsers(root: HTMLElement, t: AdminMessages, { call, say }: PanelContext) {
  const w = t.users;
  const id = input('user-id', { placeholder: 'zhang.wei', maxLength: 32 });
  const name = input('user-name', { maxLength: 64 });
  const role = select('user-role', roles.map((r) => [r, t.roles[r]] as const));
  const password = input('user-password', { type: 'password', autocomplete: 'new-password' });
  const list = element('div', 'admin-list');
  const add = async () => {
    const created = await call<User>('/api/users', json('POST', { id: id.value.trim(), displayName: name.value.trim(), role: role.value, password: password.value }));
    if (!created) return;
    say(t.saved);
    for (const field of [id, name, password]) field.value = '';
    await refresh();
  };
  const change = async (user: User, patch: Partial<User> & { password?: string }) => {
    if (await call<User>(`/api/users/${encodeURIComponent(user.id)}`, json('PATCH', patch))) (say(t.saved), await refresh());
  };
  const resetPassword = (user: User, cell: HTMLElement) => {
    const fresh = input(`user-new-password-${user.id}`, { type: 'password', autocomplete: 'new-password', placeholder: w.newPassword(user.id) });
    cell.replaceChildren(formRow(`user-reset-${user.id}`, [fresh, button(w.save, `user-save-password-${user.id}`, () => void change(user, { password: fresh.value }), 'primary')], () => void change(user, { password: fresh.value })));
    fresh.focus();
  };
  const refresh = async () => {
    const users = await call<User[]>('/api/users');
    if (!users) return;
    list.replaceChildren(
      table(
        'users',
        [w.id, w.name, w.role, w.policeGrant, w.state, ''],
        users.map((user) => {
          const roleChoice = select(`user-role-${user.id}`, roles.map((r) => [r, t.roles[r]] as const));
          roleChoice.value = user.role;
          roleChoice.addEventListener('change', () => void change(user, { role: roleChoice.value as User['role'] }));
          const grant = Object.assign(document.createElement('input'), { type: 'checkbox', checked: user.grants.includes('police-positions') });
          grant.dataset.testid = `user-grant-${user.id}`;
          grant.addEventListener('change', () => void change(user, { grants: grant.checked ? ['police-positions'] : [] }));
          const actions = element('span', 'admin-actions');
          actions.append(
            button(user.disabled ? w.enable : w.disable, `user-toggle-${user.id}`, () => void change(user, { disabled: !user.disabled })),
            button(w.resetPassword, `user-reset-open-${user.id}`, () => resetPassword(user, actions)),
          );
          return { id: user.id, cells: [user.id, user.displayName, roleChoice, grant, user.disabled ? w.disabled : w.active, actions] };
        }),
      ),
    );
  };
  root.append(
    formRow('user-add', [labelled(w.id, id), labelled(w.name, name), labelled(w.role, role), labelled(w.password, password), button(w.add, 'user-add-button', () => void add(), 'primary')], () => void add()),
    list,
  );
  return { refresh };
}

export function mountFeedKeys(root: HTMLElement, t: AdminMessages, { call, say, language }: PanelContext) {
  const w = t.keys;
  const name = input('key-name', { maxLength: 64 });
  const feed = select('key-feed', (['cameras', 'open311', 'alarms'] as const).map((f) => [f, t.feeds[f]] as const));
  const shown = element('div', 'admin-once');
  shown.hidden = true;
  const list = element('div', 'admin-list');
  const issue = async () => {
    const issued = await call<FeedKey & { key: string }>('/api/feed-keys', json('POST', { name: name.value.trim(), feed: feed.value }));
    if (!issued) return;
    // Shown here once, in a field to copy from; never in the address bar or the log.
    const key = input('key-issued', { readOnly: true, value: issued.key });
    shown.replaceChildren(element('p', '', w.issued(issued.name)), key, element('p', 'admin-warning', w.once));
    shown.hidden = false;
    key.select();
    name.value = '';
    say(null);
    await refresh();
  };
  const refresh = async () => {
    const keys = await call<FeedKey[]>('/api/feed-keys');
    if (!keys) return;
    list.replaceChildren(
      table(
        'keys',
        [w.name, w.feed, w.createdBy, w.createdAt, w.state, ''],
        keys.map((key) => ({
          id: key.id,
          cells: [
            key.name,
            t.feeds[key.feed],
            key.createdBy,
            shortTime(key.createdAt, language),
            key.disabled ? w.disabled : w.active,
            button(key.disabled ? w.enable : w.disable, `key-toggle-${key.id}`, () => void call(`/api/feed-keys/${key.id}`, json('PATCH', { disabled: !key.disabled })).then(refresh)),
          ],
        })),
      ),
    );
  };
  root.append(formRow('key-issue', [labelled(w.name, name), labelled(w.feed, feed), button(w.issue, 'key-issue-button', () => void issue(), 'primary')], () => void issue()), shown, list);
  return { refresh };
}
