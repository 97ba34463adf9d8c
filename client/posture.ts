// The officials' posture view: every board live for a range and a place, the map following the
// place. A district or cell is chosen on the map (or a board's list), the range and the coverage
// minutes in the header and the units board; the page's address keeps the choice, so a view can be
// bookmarked, or shown beside the wall (`?boards=cases,traffic&map=off`).
import 'maplibre-gl/dist/maplibre-gl.css';
import './wall.css';
import './posture.css';
import type { CitySummary, SessionInfo } from '../streams/index.ts';
import { coreLagNotice } from './core-lag.ts';
import { element } from './hud.ts';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { openLiveSocket, type LiveSocket } from './live-socket.ts';
import { mountBoards } from './posture-boards.ts';
import { formatsFor, postureMessagesFor } from './posture-i18n.ts';
import { createPostureMap } from './posture-map.ts';
import { askFromQuery, askParameters, createPostureStore, postureRangeNames, postureUpdaters, type PostureAsk, type PostureState } from './posture-store.ts';
import { readWhenReady, signOut } from './session.ts';
import { mountTimeBar } from './time-bar.ts';

const language = chooseLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
const messages = messagesFor(language);
const t = postureMessagesFor(language);
const format = formatsFor(language);
const pageParameters = new URLSearchParams(location.search);
const withMap = pageParameters.get('map') !== 'off';
const store = createPostureStore(askFromQuery(location.search));
const update = (change: (state: PostureState) => PostureState) => store.setState(change(store.getState()), true);

const banner = element('div', 'banner');
banner.hidden = true;
banner.setAttribute('role', 'alert');
document.body.append(banner);
const session = await readWhenReady<SessionInfo>('/api/session', (problem) => {
  banner.hidden = false;
  banner.textContent = problem.kind === 'starting' ? messages.starting(problem.step) : messages.unreachable;
});
const city = await readWhenReady<CitySummary>('/api/city', () => {});
banner.hidden = true;
const cityName = language === 'en' ? city.nameEn : city.nameZh;
document.title = `${t.title} · ${cityName}`;
const districtName = (id: string | null) => {
  const district = city.districts.find((d) => d.id === id);
  return district ? (language === 'en' ? district.nameEn : district.nameZh) : '—';
};

// The header: title, range, where the boards are (city › district › cell), when they were read, the connection.
const header = element('header', 'posture-bar');
const ranges = element('nav', 'ranges');
const rangeButtons = postureRangeNames.map((range) => {
  const button = element('button', 'chip', t.ranges[range]);
  button.dataset.testid = `range-${range}`;
  button.addEventListener('click', () => update((state) => postureUpdaters.rangeChosen(state, range)));
  return button;
});
ranges.append(...rangeButtons);
const trail = element('nav', 'trail');
trail.dataset.testid = 'trail';
const replaySlot = element('span', 'replay-slot');
const asOf = element('span', 'as-of');
asOf.dataset.testid = 'as-of';
const connection = element('span', 'connection');
const links = element('span', 'posture-links');
// The console only for those who may dispatch; everyone may watch the wall.
for (const [path, label] of [['/wall', t.wall], ...(session.layers.includes('dispatch') ? [['/dispatch', t.dispatch] as const] : [])] as const) {
  const link = element('a', 'view-link', label) as HTMLAnchorElement;
  link.href = `${path}${language === 'en' ? '?lang=en' : ''}`;
  links.append(link);
}
const userBox = element('span', 'user', session.user.displayName);
const signOutButton = element('button', 'sign-out', messages.signOut);
signOutButton.addEventListener('click', () => void signOut(session));
userBox.append(signOutButton);
header.append(element('h1', 'posture-title', `${cityName} · ${t.title}`), ranges, trail, element('span', 'spacer'), replaySlot, asOf, connection, links, userBox);

// The map and the feeds board on the left (feeds are city-wide, like the map), the other boards beside them.
const main = element('main', withMap ? 'posture' : 'posture posture-panels');
const side = element('div', 'posture-side');
const mapBox = element('div', 'posture-map');
const boardsBox = element('div', 'boards');
boardsBox.dataset.testid = 'boards';
if (withMap) {
  mapBox.append(element('div', 'map-hint', t.drillHint));
  side.append(mapBox);
  main.append(side);
}
main.append(boardsBox);
document.getElementById('map')?.remove();
document.body.append(header, main);
document.body.classList.add('posture-page');

const choosePlace = (place: { districtId: string | null; cellId: string | null }) => update((state) => postureUpdaters.placeChosen(state, place));
const postureMap = withMap ? createPostureMap(mapBox, city, language, choosePlace) : undefined;
const unit = () => parseFloat(getComputedStyle(document.body).fontSize);
const boards = mountBoards((board) => (withMap && board === 'feeds' ? side : boardsBox), store.getState().ask.boards, {
  language,
  districtName,
  chooseCell: (cellId) => choosePlace({ districtId: store.getState().ask.districtId, cellId }),
  chooseMinutes: (minutes) => update((state) => postureUpdaters.minutesChosen(state, minutes)),
  unit,
});
window.addEventListener('resize', () => {
  boards.resize();
  postureMap?.resize();
});

const drawTrail = (ask: PostureAsk) => {
  const step = (label: string, place: { districtId: string | null; cellId: string | null } | null) => {
    const node = element(place ? 'button' : 'span', place ? 'trail-step' : 'trail-step here', label);
    if (place) node.addEventListener('click', () => choosePlace(place));
    return node;
  };
  trail.replaceChildren(
    step(t.city, ask.districtId ? { districtId: null, cellId: null } : null),
    ...(ask.districtId ? [element('span', 'trail-sep', '›'), step(districtName(ask.districtId), ask.cellId ? { districtId: ask.districtId, cellId: null } : null)] : []),
    ...(ask.cellId ? [element('span', 'trail-sep', '›'), step(ask.cellId, null)] : []),
  );
};

// Live: the server pushes the boards of the ask this connection watches; a new ask replaces it.
const askFor = (socket: LiveSocket, { range, districtId, cellId, minutes, boards: wanted }: PostureAsk) =>
  socket.timeout(10_000).emitWithAck('watch-posture', { range, minutes, boards: wanted, ...(districtId && { district: districtId }), ...(cellId && { cell: cellId }) });
const watch = async (ask: PostureAsk) => {
  const answer = await askFor(socket, ask).catch(() => ({ error: messages.unreachable }));
  if ('error' in answer) update((state) => postureUpdaters.problemSeen(state, t.failed(answer.error)));
  else update((state) => postureUpdaters.askRead(state, answer.query));
};
const { socket, replay } = openLiveSocket(session, {
  // Replaying, the server reads the boards at the replayed moment; no units' positions are wanted.
  replayLayers: [],
  reset: () => update(postureUpdaters.cleared),
  // The core's lag comes with the feeds; the boards themselves come with the ask.
  async resume(live) {
    const subscribed = await live.timeout(10_000).emitWithAck('subscribe', session.layers.filter((layer) => layer === 'feeds'));
    if ('error' in subscribed) throw new Error(subscribed.error);
    const answer = await askFor(live, store.getState().ask);
    if ('error' in answer) return update((state) => postureUpdaters.problemSeen(state, t.failed(answer.error)));
    update((state) => postureUpdaters.askRead(state, answer.query));
  },
  connection: (live) => update((state) => postureUpdaters.connectionChanged(state, live)),
});
// Replaying, only the replayed moment's boards; live, only live ones (a push under way when the mode changed is dropped).
socket.on('posture', (snapshot) => replay.shows(snapshot) && update((state) => postureUpdaters.snapshotSeen(state, snapshot)));
mountTimeBar(document.body, replay, language, { view: 'boards', openIn: replaySlot });
// "Live" would mislead on a replaying screen: that range is the quarter hour before the moment shown.
replay.store.subscribe((state) => (rangeButtons[postureRangeNames.indexOf('live')]!.textContent = state.mode === 'replay' ? t.replayedLive : t.ranges.live));
socket.on('core', (core) => update((state) => postureUpdaters.lagSeen(state, coreLagNotice(core, messages))));

const render = (state: PostureState, before: PostureState | undefined) => {
  if (state.ask !== before?.ask) {
    rangeButtons.forEach((button, i) => button.classList.toggle('chosen', postureRangeNames[i] === state.ask.range));
    drawTrail(state.ask);
    postureMap?.follow(state.ask);
    history.replaceState(null, '', `/posture?${askParameters(state.ask, Object.fromEntries([...pageParameters].filter(([key]) => key === 'lang' || key === 'map')))}`);
  }
  if (before && JSON.stringify(state.ask) !== JSON.stringify(before.ask)) void watch(state.ask);
  if (state.snapshot && state.snapshot !== before?.snapshot) {
    boards.render(state.snapshot, state.ask);
    postureMap?.paint(state.snapshot);
    asOf.textContent = t.asOf(format.time(state.snapshot.at));
  }
  boardsBox.classList.toggle('waiting', !state.snapshot);
  connection.dataset.state = state.connected ? 'live' : 'reconnecting';
  connection.textContent = state.connected ? messages.connection.live : messages.connection.reconnecting;
  const problem = state.problem ?? (state.connected || !before ? null : t.connectionLost) ?? state.lag;
  banner.hidden = !problem;
  banner.textContent = problem ?? '';
};
render(store.getState(), undefined);
store.subscribe(render);

// A handle for the browser tests.
Object.assign(window, { onescreen: { store, map: postureMap?.map, replay } });
