// The wall: boots the HUD, waits for the server and a session, then shows the city live.
import 'maplibre-gl/dist/maplibre-gl.css';
import './wall.css';
import type { CitySummary, SessionInfo, UnitTrack } from '../streams/index.ts';
import { AlertList } from './alert-list.ts';
import { AutoTour, tourFromQuery, type TourStop } from './auto-tour.ts';
import { createCityMap, type Picked } from './city-map.ts';
import { entityKindOrder, EntityTable } from './entity-table.ts';
import { mapCoordinates } from './map-crs.ts';
import { mountHud } from './hud.ts';
import { watchPanelInsets } from './panel-insets.ts';
import { layoutFor, mountWallFrame, readableTextPx, viewingFromQuery } from './wall-layout.ts';
import { mountWallPanels } from './wall-panels.ts';
import { mountSearchBox } from './search-box.ts';
import { mountActionLog } from './action-log.ts';
import { mountTimeBar } from './time-bar.ts';
import { trackBox, unitTrackPanel } from './unit-track.ts';
import { whoWasHerePanel } from './who-was-here.ts';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { connectLive } from './live-connection.ts';
import { mountRoleNotice, roleNoticeFor } from './role-notice.ts';
import { readWhenReady, signOut } from './session.ts';
import { createWallStore, hiddenFromQuery, motionFromQuery, wallUpdaters, type Problem } from './wall-store.ts';

const language = chooseLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
// The frame first: the map's box and the panels' columns for this screen, text sized for the room.
const unitPx = readableTextPx(viewingFromQuery(location.search), window.innerHeight);
const frame = mountWallFrame(document.body, document.getElementById('map')!, layoutFor(location.search, window.innerWidth, window.innerHeight), unitPx, window.innerWidth, window.innerHeight);
const store = createWallStore(hiddenFromQuery(location.search));
const hud = mountHud(frame.centre, store, language, undefined);
// A 16:9 screen's title bar is narrower than the wall's: the feeds and the user sit atop the column.
frame.status?.append(...['.feed-badges', '.connection', '.user'].map((selector) => frame.centre.querySelector(selector)!));
const showProblem = (problem: Problem) => store.setState(wallUpdaters.problemSeen(store.getState(), problem), true);
const session = await readWhenReady<SessionInfo>('/api/session', showProblem);
const city = await readWhenReady<CitySummary>('/api/city', showProblem);
showProblem(null);
hud.setTitle(city.nameZh, city.nameEn);
hud.showUser(session.user.displayName, () => void signOut(session));
mountRoleNotice(document.querySelector<HTMLElement>('.legend')!, roleNoticeFor('wall', session, language, location.search));
document.title = language === 'en' ? `${city.nameEn} · onescreen` : `${city.nameZh} · 一屏观全城`;

const motion = motionFromQuery(location.search, matchMedia('(prefers-reduced-motion: reduce)').matches);
const onMap = mapCoordinates(city.baseMap);
const table = new EntityTable(motion, onMap.gcj02 ? onMap.toMap : undefined);
const alerts = new AlertList(language);
const messages = messagesFor(language);
const describe = (picked: Picked | undefined) => {
  if (!picked) return undefined;
  if ('alert' in picked) {
    const { alert } = picked;
    return { title: alert.title, lines: [alert.description, messages.severity(alert.severity), new Date(alert.at).toLocaleString(language, { hour12: false })] };
  }
  if ('cluster' in picked) {
    const kind = messages.kinds[entityKindOrder[picked.cluster.kind]!];
    return { title: messages.cluster.title(picked.cluster.slots.length, kind), lines: [messages.cluster.hint] };
  }
  const id = table.ids[picked.entitySlot]!;
  // Its track is read for the hour before the moment shown: live, or the replay's.
  const track = unitTrackPanel(id, language, () => replay.now(), showTrack);
  return { title: table.labels[picked.entitySlot]!, lines: [messages.kinds[entityKindOrder[table.kinds[picked.entitySlot]!]!]], extra: track };
};
const onPick = (picked: Picked | undefined) => {
  // Zooming in on a cluster is an operator's hand on the map: the tour waits.
  if (picked && 'cluster' in picked) pauseTour();
  cityMap.showTrack(undefined);
  cityMap.showPlaceAsked(undefined);
  hud.showDetails(describe(picked));
};
const cityMap = createCityMap(document.getElementById('map')!, city, language, motion, unitPx / 16, onPick, (notice) => hud.showNotice(notice));
cityMap.follow(table, alerts, () => store.getState().hidden);
// A unit's track asked for is framed on the map: the operator's hand, so the tour waits.
function showTrack(track: UnitTrack | undefined) {
  cityMap.showTrack(track);
  if (!track?.points.length) return;
  pauseTour();
  // Clear of the details (bottom right) and the time bar (bottom), where the track would hide.
  const details = document.querySelector<HTMLElement>('[data-testid="details"]')!.getBoundingClientRect();
  const padding = { top: 4 * unitPx, left: 4 * unitPx, bottom: 8 * unitPx, right: details.width + 4 * unitPx };
  cityMap.map.fitBounds(trackBox(track, onMap.toMap), { padding, maxZoom: 16, animate: motion });
}
// Right-click a place: who was there in the hour before the moment shown.
cityMap.map.on('contextmenu', (event) => {
  event.originalEvent.preventDefault();
  onPick(undefined);
  const { title, panel } = whoWasHerePanel(onMap.fromMap([event.lngLat.lng, event.lngLat.lat]), language, () => replay.now(), (asked) => cityMap.showPlaceAsked(asked));
  hud.showDetails({ title, lines: [], extra: panel });
});
// A followed unit's slot is gone when the view starts over (a replay's jump, back to live).
const { socket, replay } = connectLive(session, table, alerts, store, { show: (segments) => cityMap.showTraffic(segments), clear: () => cityMap.clearTraffic() }, () => stopFollowing());
mountTimeBar(frame.centre, replay, language, { view: 'wall' });
alerts.clock = () => replay.now();
const panels = mountWallPanels(frame, city, language);
// The panels' figures are the posture boards', pushed as they move; asked again on every connection.
// Replaying, they are the replayed moment's instead (those history keeps), and live ones wait.
socket.on('posture', (snapshot) => replay.shows(snapshot) && panels.showPosture(snapshot));
const actions = mountActionLog(frame.force, language);
socket.on('replay-audit', (entries) => replay.replaying && actions.add(entries));
const watchPosture = () => void socket.timeout(10_000).emitWithAck('watch-posture', { range: 'live', boards: ['cases', 'units', 'traffic', 'buses', 'feeds'] }).catch(() => undefined);
socket.on('connect', watchPosture);
if (socket.connected) watchPosture();
replay.store.subscribe((state, before) => {
  cityMap.showTrails(state.mode === 'replay');
  // A jump (a clock marked reset, as it comes) or a change of mode: the lines start over.
  if ((state.clock !== before.clock && state.clock?.reset) || state.mode !== before.mode) actions.clear();
  if (state.mode === 'live' && before.mode === 'replay') watchPosture();
});
// The alert being toured, marked in the list.
let touredAlert: string | null = null;
let alertsShown = -1;
let minuteShown = -1;
setInterval(() => {
  // Ages count from the moment shown: a replay's alerts are as old as they were then.
  const now = replay.now();
  const minute = Math.floor(now / 60_000);
  if (alerts.version === alertsShown && minute === minuteShown) return;
  [alertsShown, minuteShown] = [alerts.version, minute];
  panels.showAlerts(alerts.all(now), touredAlert, now);
}, 1_000);

// The wall tours by itself unless told not to (?tour=off); an operator's hand on the map, a search
// or a followed unit pauses it.
const tourTimings = tourFromQuery(location.search);
const tour = tourTimings ? new AutoTour(city.districts.length, tourTimings) : undefined;
const showStatus = (label: string | null) => store.setState(wallUpdaters.showingChanged(store.getState(), label), true);
const stopFollowing = () => {
  cityMap.track(undefined);
  searchBox.setFollowing(false);
  showStatus(null);
};
const searchBox = mountSearchBox(frame.centre, language, (hit) => {
  tour?.pause(Date.now());
  const slot = hit.kind === 'entity' ? table.slotOf(hit.id) : undefined;
  if (slot === undefined) {
    stopFollowing();
    cityMap.showPlace(hit.lon, hit.lat);
    return;
  }
  cityMap.track(slot);
  searchBox.setFollowing(true);
  showStatus(messages.search.following(table.labels[slot]!));
}, stopFollowing);
// The search box sits under the title bar, which takes a second line in a long language on a narrow column.
const titleBar = document.querySelector<HTMLElement>('.title-bar')!;
new ResizeObserver(() => frame.centre.style.setProperty('--title-height', `${titleBar.offsetHeight}px`)).observe(titleBar);
// The title bar, the search box and the legend stay on the wall: the map frames the city beside them.
watchPanelInsets(['.title-bar', '.search', '.legend'].map((selector) => document.querySelector<HTMLElement>(selector)!), frame.centre, (insets) => cityMap.setPanelInsets(insets));
function pauseTour() {
  if (!tour) return;
  tour.pause(Date.now());
  showStatus(messages.tourPaused(Math.round(tour.timings.pauseMs / 60_000)));
}
cityMap.onOperatorMove(() => {
  if (cityMap.tracking) stopFollowing();
  pauseTour();
});
if (tour) {
  const placeOf = (stop: TourStop) =>
    stop.kind === 'alert' ? `⚠ ${stop.alert.title}` : stop.kind === 'city' ? messages.wholeCity : language === 'en' ? city.districts[stop.index]!.nameEn : city.districts[stop.index]!.nameZh;
  const tourTick = () => {
    // A followed unit holds the wall; the tour waits its usual pause after it is let go.
    if (cityMap.tracking) return tour.pause(Date.now());
    // Until the alerts on the wall are read, none is news: the first look at them is the baseline.
    if (store.getState().snapshotAt === null) return;
    const stop = tour.update(Date.now(), alerts.items());
    if (!stop) return;
    touredAlert = stop.kind === 'alert' ? stop.alert.id : null;
    alertsShown = -1;
    cityMap.showStop(stop);
    showStatus(messages.tour(placeOf(stop)));
  };
  setInterval(tourTick, 1_000);
  // The baseline is taken the moment the snapshot is in, so an alert pushed a moment later is news.
  const untilRead = store.subscribe((state) => {
    if (state.snapshotAt === null) return;
    untilRead();
    tourTick();
  });
}

// A handle for operators' diagnostics and the browser tests.
Object.assign(window, {
  onescreen: {
    map: cityMap.map,
    overlay: cityMap.overlay,
    table,
    alerts,
    store,
    socket,
    replay,
    tour,
    /** Shows a unit's details as a click on it would. */
    showUnit: (id: string) => onPick({ entitySlot: table.slotOf(id)! }),
    /** Shows an alert's details as a click on it would. */
    showAlert: (id: string) => hud.showDetails(describe({ alert: alerts.all().find((alert) => alert.id === id)! })),
  },
});
