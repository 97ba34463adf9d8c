import { entityKindOrder } from './entity-table.ts';
import { messagesFor, type Language } from './i18n.ts';
import type { FeedName } from '../streams/index.ts';
import { entityColors, wallTheme } from './theme.ts';
import { wallUpdaters, type Problem, type WallState, type WallStore } from './wall-store.ts';

/** Builds an element; text goes in as text, never as HTML. */
export function element(tag: string, className: string, text = ''): HTMLElement {
  const node = document.createElement(tag);
  node.className = className;
  node.textContent = text;
  return node;
}

/** The wall's heads-up display: title, clock, connection, per-kind counts with legend, problems. */
export function mountHud(root: HTMLElement, store: WallStore, language: Language, city: { nameZh: string; nameEn: string } | undefined) {
  const t = messagesFor(language);
  const bar = element('header', 'title-bar');
  const title = element('h1', 'title', city ? t.title(city.nameZh, city.nameEn) : 'onescreen');
  const subtitle = element('span', 'subtitle', t.subtitle);
  const status = element('span', 'connection');
  status.dataset.testid = 'connection';
  const clock = element('time', 'clock');
  // One badge per feed the server reports: how long since it last delivered, red once it has gone quiet.
  const badges = element('span', 'feed-badges');
  const feedBadges = new Map<FeedName, HTMLElement>();
  const badgeOf = (feed: FeedName) => {
    let badge = feedBadges.get(feed);
    if (!badge) {
      badge = element('span', 'feed-badge');
      badge.dataset.testid = `feed-${feed}`;
      feedBadges.set(feed, badge);
      badges.append(badge);
    }
    return badge;
  };
  const showing = element('span', 'showing');
  showing.dataset.testid = 'showing';
  const user = element('span', 'user');
  user.hidden = true;
  bar.append(title, subtitle, showing, element('span', 'spacer'), badges, status, clock, user);

  const legend = element('aside', 'legend');
  // Each legend row switches its layer on and off (a wall can also start with ?hide=).
  const toggleRow = (layer: string, label: string, color: string) => {
    const row = element('button', 'legend-row');
    row.setAttribute('role', 'switch');
    row.dataset.testid = `layer-${layer}`;
    row.addEventListener('click', () => store.setState(wallUpdaters.layerToggled(store.getState(), layer), true));
    const swatch = element('span', 'swatch');
    swatch.style.background = color;
    row.append(swatch, element('span', 'kind', label));
    legend.append(row);
    return row;
  };
  const countCells = new Map(
    entityKindOrder.map((kind) => {
      const row = toggleRow(kind, t.kinds[kind], `rgb(${entityColors[kind].join(',')})`);
      const count = element('span', 'count', '0');
      count.dataset.testid = `count-${kind}`;
      row.append(count);
      return [kind, { row, count }] as const;
    }),
  );
  const alertsRow = toggleRow('alerts', t.alerts, `rgb(${wallTheme.alerts[2]!.join(',')})`);
  const heatRow = toggleRow('heatmap', t.heatmap, `radial-gradient(${[...wallTheme.heat].reverse().join(', ')})`);
  const trafficRow = element('div', 'legend-row traffic');
  trafficRow.append(element('span', 'kind', t.traffic.title));
  for (const level of ['slow', 'congested'] as const) {
    const swatch = element('span', 'line-swatch');
    swatch.style.background = wallTheme.traffic[level];
    trafficRow.append(swatch, element('span', 'traffic-level', t.traffic[level]));
  }
  const freshness = element('div', 'freshness');
  // Something the wall cannot do here and says rather than hides (a base map drawn below the screen's resolution).
  const notice = element('div', 'wall-notice');
  notice.dataset.testid = 'wall-notice';
  notice.hidden = true;
  legend.append(trafficRow, freshness, notice);

  const banner = element('div', 'banner');
  banner.setAttribute('role', 'alert');
  banner.dataset.testid = 'banner';
  // Details of what was clicked. Descriptions come from the public: they go in as text only.
  const details = element('aside', 'details');
  details.dataset.testid = 'details';
  details.hidden = true;
  root.append(bar, legend, banner, details);

  const problemText = (problem: Problem) => {
    if (!problem) return '';
    if (problem.kind === 'starting') return t.starting(problem.step);
    if (problem.kind === 'behind') return problem.outage ? t.databaseDown(problem.seconds) : t.behind(problem.seconds);
    return { unreachable: t.unreachable, 'connection-lost': t.connectionLost, 'slow-server': t.slowServer }[problem.kind];
  };
  const render = (state: WallState) => {
    status.textContent = t.connection[state.connection];
    status.dataset.state = state.connection;
    for (const [kind, { row, count }] of countCells) {
      count.textContent = state.counts[kind].toLocaleString(language);
      // A city without trucks shows no truck row.
      row.hidden = state.counts[kind] === 0;
    }
    for (const row of [...[...countCells.values()].map((cell) => cell.row), alertsRow, heatRow]) {
      const on = !state.hidden.includes(row.dataset.testid!.slice('layer-'.length));
      row.setAttribute('aria-checked', String(on));
      row.classList.toggle('off', !on);
    }
    showing.textContent = state.showing ?? '';
    showing.hidden = state.showing === null;
    banner.textContent = problemText(state.problem);
    banner.hidden = !state.problem;
    banner.dataset.problem = state.problem?.kind ?? '';
  };
  render(store.getState());
  store.subscribe(render);
  const renderFeeds = () => {
    const now = Date.now();
    for (const feed of store.getState().feeds) {
      const badge = badgeOf(feed.feed);
      const ageS = feed.lastAcceptedAt === null ? null : Math.max(0, Math.round((now - Date.parse(feed.lastAcceptedAt)) / 1000));
      const stale = ageS === null || ageS * 1000 > feed.staleAfterMs;
      badge.textContent = `${t.feeds[feed.feed]} ${t.age(ageS)}`;
      badge.dataset.state = stale ? 'stale' : 'fresh';
      badge.style.color = stale ? wallTheme.stale : wallTheme.fresh;
      badge.title = stale ? t.staleFeed(t.feeds[feed.feed]) : '';
    }
  };
  const tick = () => {
    renderFeeds();
    clock.textContent = new Date().toLocaleTimeString(language, { hour12: false });
    const last = store.getState().lastUpdateAt;
    freshness.textContent = last ? t.updated(Math.max(0, Math.round((Date.now() - last) / 1000))) : '';
  };
  tick();
  setInterval(tick, 1000);
  return {
    setTitle: (nameZh: string, nameEn: string) => (title.textContent = t.title(nameZh, nameEn)),
    /** Who is signed in, with a way out. */
    showUser(displayName: string, signOut: () => void): void {
      const button = element('button', 'sign-out', t.signOut);
      button.dataset.testid = 'sign-out';
      button.addEventListener('click', signOut);
      user.replaceChildren(element('span', 'user-name', displayName), button);
      user.hidden = false;
    },
    showNotice(text: string | null): void {
      notice.hidden = text === null;
      notice.textContent = text ?? '';
    },
    showDetails(shown: { title: string; lines: string[]; extra?: HTMLElement } | undefined): void {
      details.replaceChildren();
      details.hidden = !shown;
      if (!shown) return;
      details.append(element('h2', 'details-title', shown.title), ...shown.lines.filter(Boolean).map((line) => element('p', 'details-line', line)), ...(shown.extra ? [shown.extra] : []));
    },
  };
}
