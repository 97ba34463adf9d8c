// The admin console's records: the audit log (filtered, exported as CSV), items set aside (inspected
// and replayed once the sender is fixed), and how each live feed stands.
import type { FeedStatus } from '../streams/index.ts';
import type { AdminMessages } from './admin-i18n.ts';
import { button, formRow, input, labelled, shortTime, table, type PanelContext } from './admin-ui.ts';
import { element } from './hud.ts';

interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  objectType: string | null;
  objectId: string | null;
  after: unknown;
}
interface SetAsideItem {
  id: number;
  pipeline: string;
  item: string;
  error: string;
  setAsideAt: string;
  replayedAt: string | null;
  replayedBy: string | null;
}
// Long changes and items are cut here in the table; the CSV export and the API keep them whole.
const shownChars = 160;
const cut = (text: string) => (text.length > shownChars ? `${text.slice(0, shownChars)}…` : text);

export function mountAudit(root: HTMLElement, t: AdminMessages, { call, language }: PanelContext) {
  const w = t.audit;
  const actor = input('audit-actor', { maxLength: 64 });
  const action = input('audit-action', { maxLength: 64, placeholder: 'incident-from-call' });
  const since = input('audit-since', { type: 'datetime-local' });
  const exportLink = element('a', 'admin-button admin-plain', w.exportCsv) as HTMLAnchorElement;
  exportLink.dataset.testid = 'audit-export';
  exportLink.download = 'audit.csv';
  const list = element('div', 'admin-list');
  const filters = () =>
    new URLSearchParams({
      limit: '500',
      ...(actor.value.trim() && { actor: actor.value.trim() }),
      ...(action.value.trim() && { action: action.value.trim() }),
      ...(since.value && { since: new Date(since.value).toISOString() }),
    });
  const refresh = async () => {
    exportLink.href = `/api/audit.csv?${filters()}`;
    const entries = await call<AuditEntry[]>(`/api/audit?${filters()}`);
    if (!entries) return;
    list.replaceChildren(
      entries.length === 0
        ? element('p', 'admin-hint', w.none)
        : table(
            'audit',
            [w.at, w.actor, w.action, w.object, w.change],
            entries.map((entry) => ({
              id: String(entry.id),
              cells: [shortTime(entry.at, language), entry.actor, entry.action, [entry.objectType, entry.objectId].filter(Boolean).join(' '), entry.after === null ? '' : cut(JSON.stringify(entry.after))],
            })),
          ),
    );
  };
  root.append(formRow('audit-filter', [labelled(w.actor, actor), labelled(w.action, action), labelled(w.since, since), button(w.filter, 'audit-filter-button', () => void refresh(), 'primary'), exportLink], () => void refresh()), list);
  return { refresh };
}

export function mountSetAside(root: HTMLElement, t: AdminMessages, { call, say, language }: PanelContext) {
  const w = t.setAside;
  const list = element('div', 'admin-list');
  const refresh = async () => {
    const items = await call<SetAsideItem[]>('/api/set-aside');
    if (!items) return;
    list.replaceChildren(
      items.length === 0
        ? element('p', 'admin-hint', w.none)
        : table(
            'set-aside',
            [w.at, w.pipeline, w.error, w.item, ''],
            items.map((item) => ({
              id: String(item.id),
              cells: [
                shortTime(item.setAsideAt, language),
                item.pipeline,
                item.error,
                cut(item.item),
                item.replayedAt ? w.replayed(item.replayedBy ?? '—', shortTime(item.replayedAt, language)) : button(w.replay, `replay-${item.id}`, () => void replay(item)),
              ],
            })),
          ),
    );
  };
  const replay = async (item: SetAsideItem) => {
    if (await call(`/api/set-aside/${item.id}/replay`, { method: 'POST' })) (say(t.saved), await refresh());
  };
  root.append(list);
  return { refresh };
}

export function mountFeedHealth(root: HTMLElement, t: AdminMessages, { call, language, feedNames }: PanelContext & { feedNames: Record<FeedStatus['feed'], string> }) {
  const w = t.feedHealth;
  const list = element('div', 'admin-list');
  const refresh = async () => {
    const feeds = await call<FeedStatus[]>('/api/feeds');
    if (!feeds) return;
    list.replaceChildren(
      table(
        'feeds',
        [w.feed, w.lastAccepted, w.state],
        feeds.map((feed) => {
          const ageS = feed.lastAcceptedAt ? Math.round((Date.now() - Date.parse(feed.lastAcceptedAt)) / 1000) : null;
          const live = ageS !== null && ageS * 1000 <= feed.staleAfterMs;
          const state = element('span', live ? 'admin-live' : 'admin-stale', live ? w.live : w.stale);
          return { id: feed.feed, cells: [feedNames[feed.feed], ageS === null ? w.never : `${shortTime(feed.lastAcceptedAt, language)} (${w.ago(ageS)})`, state] };
        }),
      ),
    );
  };
  root.append(list);
  return { refresh };
}
