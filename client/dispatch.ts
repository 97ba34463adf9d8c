// The dispatcher's console: the open cases by severity and SLA; the chosen case with its history
// and next steps; the units to send, ranked by road ETA; the units sent, with their live route
// and ETA; geofences drawn on the map and their alerts; the force per district. Cases, units
// sent and alerts change live over the socket.
import 'maplibre-gl/dist/maplibre-gl.css';
import './wall.css';
import './dispatch.css';
import type { CitySummary, Geofence, GeofenceAlert, Incident, SessionInfo, Warning } from '../streams/index.ts';
import { mountCallForm } from './call-form.ts';
import { coreLagNotice } from './core-lag.ts';
import { createDispatchMap } from './dispatch-map.ts';
import { createDispatchActions } from './dispatch-actions.ts';
import { createDispatchStore, dispatchUpdaters, forceByDistrict, queueOf, updateWith, type DispatchState } from './dispatch-store.ts';
import { element } from './hud.ts';
import { mountAreaTools } from './area-tools.ts';
import { mountCasePanel } from './case-panel.ts';
import { mountFenceAlertList } from './fence-alert-list.ts';
import { mountRoleNotice, roleNoticeFor } from './role-notice.ts';
import { dispatchMessagesFor } from './dispatch-i18n.ts';
import { chooseLanguage, messagesFor } from './i18n.ts';
import { openLiveSocket } from './live-socket.ts';
import { apiCaller, readWhenReady, signOut } from './session.ts';
import { mountTimeBar } from './time-bar.ts';

// Unit availability changes by silence too (a unit off the air for minutes counts off duty): re-read this often, ms.
const forceEveryMs = 15_000;
// How often the chosen case's fleet (positions and duty) is read again, ms.
const fleetEveryMs = 5_000;

const language = chooseLanguage(location.search, navigator.languages);
document.documentElement.lang = language;
const messages = messagesFor(language);
const t = dispatchMessagesFor(language);
const store = createDispatchStore();
const update = updateWith(store);

// The frame: header, queue on the left, map in the middle, the case on the right.
const banner = element('div', 'banner');
banner.hidden = true;
banner.setAttribute('role', 'alert');
const showProblem = (problem: { kind: 'starting'; step: string } | { kind: 'unreachable' }) => {
  banner.hidden = false;
  banner.textContent = problem.kind === 'starting' ? messages.starting(problem.step) : messages.unreachable;
};
document.body.append(banner);
const session = await readWhenReady<SessionInfo>('/api/session', showProblem);
const may = (permission: string) => session.permissions.includes(permission);
const city = await readWhenReady<CitySummary>('/api/city', showProblem);
banner.hidden = true;
document.title = `${t.title} · ${language === 'en' ? city.nameEn : city.nameZh}`;
const districtName = (id: string | null) => {
  const district = city.districts.find((d) => d.id === id);
  return district ? (language === 'en' ? district.nameEn : district.nameZh) : '—';
};

const header = element('header', 'dispatch-bar');
const userBox = element('span', 'user', session.user.displayName);
const signOutButton = element('button', 'sign-out', messages.signOut);
signOutButton.addEventListener('click', () => void signOut(session));
userBox.append(signOutButton);
const wallLink = element('a', 'dispatch-link', t.wall) as HTMLAnchorElement;
wallLink.href = `/wall${location.search}`;
const connection = element('span', 'connection');
const replaySlot = element('span', 'replay-slot');
header.append(element('h1', 'dispatch-title', `${language === 'en' ? city.nameEn : city.nameZh} · ${t.title}`), element('span', 'spacer'), replaySlot, wallLink, connection, userBox);
const queuePanel = element('section', 'dispatch-queue');
const queueTitle = element('h2', 'dispatch-heading');
const queueList = element('ol', 'queue-list');
const fenceAlertsTitle = element('h2', 'dispatch-heading');
const fenceAlertItems = element('ol', 'fence-alerts');
const forcePanel = element('div', 'force');
const newCase = element('button', 'step new-case', t.intake.open);
newCase.dataset.testid = 'new-case';
newCase.hidden = !may('incidents:write');
queuePanel.append(newCase, queueTitle, queueList, ...(may('dispatch:read') ? [fenceAlertsTitle, fenceAlertItems] : []), forcePanel);
mountRoleNotice(queuePanel, roleNoticeFor('dispatch', session, language, location.search));
const mapBox = element('div', 'dispatch-map');
const fenceTools = element('div', 'fence-tools');
mapBox.append(fenceTools);
const casePanel = element('section', 'dispatch-case');
// The chosen case, or the form of a case being entered from a call.
const caseBox = element('div', 'case-box');
caseBox.dataset.testid = 'case';
casePanel.append(caseBox);
const main = element('main', 'dispatch');
main.append(queuePanel, mapBox, casePanel);
document.getElementById('map')?.remove();
document.body.append(header, main);
document.body.classList.add('dispatch-page');

let focusedCandidate: string | null = null;
// Calls the API as the signed-in dispatcher; a refusal shows the server's reason, which says what to do.
const call = apiCaller(session, { forbidden: t.forbidden, failed: t.failed, unreachable: messages.unreachable }, (problem) => update((state) => dispatchUpdaters.problemSeen(state, problem)));

// Live: cases and units sent are pushed; on every connection not recovered, the queue is read again so nothing missed stays wrong.
const { socket, replay } = openLiveSocket(session, {
  // A replay of the console shows cases, units sent, fence alerts and warnings: no unit positions.
  replayLayers: ['incidents', 'dispatch'],
  // Another moment: its force is read for it (the units' duty then), once the clock it came with is set.
  reset: () => (update(dispatchUpdaters.pastCleared), queueMicrotask(() => void actions.readForce())),
  async resume(live) {
    const layers = session.layers.filter((layer) => layer === 'incidents' || layer === 'dispatch' || layer === 'feeds');
    const subscribed = await live.timeout(10_000).emitWithAck('subscribe', layers);
    if ('error' in subscribed) return update((state) => dispatchUpdaters.problemSeen(state, t.failed(subscribed.error)));
    const dispatchRead = may('dispatch:read');
    const [queue, fences, fenceAlerts, warnings] = await Promise.all([
      call<Incident[]>('/api/incidents'),
      dispatchRead ? call<Geofence[]>('/api/geofences') : undefined,
      dispatchRead ? call<GeofenceAlert[]>('/api/geofence-alerts') : undefined,
      call<Warning[]>('/api/warnings'),
    ]);
    if (warnings) update((state) => dispatchUpdaters.warningsSeen(state, warnings));
    if (queue) update((state) => dispatchUpdaters.incidentsSeen(state, queue));
    if (fences) update((state) => dispatchUpdaters.fencesRead(state, fences));
    if (fenceAlerts) update((state) => dispatchUpdaters.fenceAlertsSeen(state, fenceAlerts));
    await actions.readForce();
    update((state) => (state.problem === messages.slowServer ? dispatchUpdaters.problemSeen(state, null) : state));
  },
  connection: (live) => update((state) => dispatchUpdaters.connection(state, live)),
  slow: () => update((state) => dispatchUpdaters.problemSeen(state, messages.slowServer)),
});
const actions = createDispatchActions({
  store,
  call,
  may,
  userId: session.user.id,
  replay,
  flyTo: (point) => dispatchMap.flyTo(point, 14, 800),
  clearNote: () => casePanelView.clearNote(),
});
const select = (id: number) => ((focusedCandidate = null), void actions.select(id));

// The map: cases by severity, the units to send, and routes; the candidate under the pointer shows its route.
const dispatchMap = createDispatchMap(mapBox, city, language, store, select);
const { map, overlay } = dispatchMap;
const drawMap = (state: DispatchState) => dispatchMap.draw(state, focusedCandidate);

// The queue: severity, category, where, how long until (or since) the SLA ran out.
// Replaying, from the moment shown.
const minutesUntil = (iso: string) => Math.round((Date.parse(iso) - replay.now()) / 60_000);
const drawQueue = (state: DispatchState) => {
  const queue = queueOf(state);
  queueTitle.textContent = t.queue(queue.length);
  queueList.replaceChildren(
    ...queue.map((incident) => {
      const item = element('li', 'queue-item');
      const button = element('button', 'queue-button');
      button.dataset.testid = `queue-${incident.id}`;
      if (incident.id === state.selected) button.classList.add('selected');
      button.addEventListener('click', () => select(incident.id));
      const severity = element('span', `severity severity-${incident.severity}`, String(incident.severity));
      const left = minutesUntil(incident.dueAt);
      const due = element('span', left < 0 ? 'due overdue' : 'due', left < 0 ? t.overdue(-left) : t.due(left));
      const what = element('span', 'queue-what', language === 'en' ? incident.categoryEn : incident.categoryZh);
      const where = element('span', 'queue-where', `${districtName(incident.districtId)} · ${t.status[incident.status]}`);
      button.append(severity, what, due, where);
      if (incident.supervisedAt) button.append(element('span', 'supervised', t.supervised));
      item.append(button);
      return item;
    }),
  );
  if (queue.length === 0) queueList.append(element('li', 'queue-empty', t.emptyQueue));
};

const drawForce = (state: DispatchState) => {
  const table = element('table', 'force-table');
  const head = element('tr', '');
  head.append(element('th', '', t.force), element('th', '', t.police), element('th', '', t.city));
  const sub = element('tr', 'force-sub');
  sub.append(element('th', '', ''), element('th', '', t.forceHead), element('th', '', t.forceHead));
  table.append(head, sub);
  for (const [districtId, counts] of forceByDistrict(state.force)) {
    const row = element('tr', '');
    row.dataset.testid = `force-${districtId}`;
    row.append(element('td', '', districtName(districtId)), element('td', 'force-count', counts.police.join(' / ')), element('td', 'force-count', counts.city.join(' / ')));
    table.append(row);
  }
  forcePanel.replaceChildren(table);
};

const casePanelView = mountCasePanel(caseBox, {
  t,
  language,
  // The past is read-only: no steps, sending or merging while replaying.
  canDispatch: () => may('incidents:write') && !replay.replaying,
  districtName,
  minutesUntil,
  onStep: (detail, to, note) => void actions.step(detail, to, note),
  onSend: (incidentId, unitId) => void actions.assign(incidentId, unitId),
  onFocusCandidate: (unitId) => ((focusedCandidate = unitId), drawMap(store.getState())),
  onMerge: (detail, into) => void actions.merge(detail, into),
  onNearby: (detail) => void actions.readNearby(detail),
});
const callForm = mountCallForm(casePanel, {
  t,
  language,
  store,
  call,
  onOpened: (incident) => (update((state) => dispatchUpdaters.incidentsSeen(state, [incident])), select(incident.id)),
  flyTo: (point) => dispatchMap.flyTo(point, 15, 800),
});
newCase.addEventListener('click', () => callForm.open());

const fenceAlertList = mountFenceAlertList(fenceAlertsTitle, fenceAlertItems, t, session, {
  change: (id, action) => void actions.changeFenceAlert(id, action),
  clearFence: (geofenceId) => void actions.clearFenceAlerts(geofenceId),
  show: (alert) => dispatchMap.flyTo([alert.lon, alert.lat], 14),
});

// Drawing an area on the map: a geofence, or an emergency warning.
const areaTools = mountAreaTools(fenceTools, language, messages, store, call, city.entityKinds);
fenceTools.hidden = !may('geofences:manage') && !may('warnings:issue');

const drawProblem = (state: DispatchState) => {
  const problem = state.problem ?? state.lag;
  banner.hidden = problem === null;
  banner.textContent = problem ?? '';
  connection.textContent = state.connected ? messages.connection.live : messages.connection.reconnecting;
  connection.dataset.state = state.connected ? 'live' : 'reconnecting';
};

const draw = (state: DispatchState, before?: DispatchState) => {
  drawProblem(state);
  if (!before || state.incidents !== before.incidents || state.selected !== before.selected) drawQueue(state);
  if (!before || state.force !== before.force) drawForce(state);
  if (!before || state.fenceAlerts !== before.fenceAlerts) fenceAlertList.draw(state);
  if (!fenceTools.hidden && (!before || state.drawing !== before.drawing || state.warnings !== before.warnings)) areaTools.draw(state);
  if (!before || state.intake !== before.intake) (callForm.draw(state.intake), (caseBox.hidden = state.intake !== null));
  if (!before || state.detail !== before.detail || state.candidates !== before.candidates || state.assignments !== before.assignments || state.nearby !== before.nearby) casePanelView.draw(state);
  else if (state.fleet !== before.fleet) casePanelView.drawFleet(state.fleet);
  drawMap(state);
};
store.subscribe(draw);
draw(store.getState());

socket.on('core', (core) => update((state) => dispatchUpdaters.lagSeen(state, coreLagNotice(core, messages))));
socket.on('geofence-alerts', (alerts) => update((state) => dispatchUpdaters.fenceAlertsSeen(state, alerts)));
socket.on('warning', (warning) => update((state) => dispatchUpdaters.warningsSeen(state, [warning])));
socket.on('incidents', (incidents) => {
  const selected = store.getState().selected;
  const before = selected === null ? undefined : store.getState().incidents.get(selected);
  update((state) => dispatchUpdaters.incidentsSeen(state, incidents));
  // The chosen case moved (by another dispatcher, or a unit arriving): read its history and steps again.
  const now = selected === null ? undefined : incidents.find((incident) => incident.id === selected);
  if (now && (!before || now.version > before.version)) void actions.refreshCase(now.id, Date.parse(now.updatedAt));
});
// Units sent, arriving or released change the force; a moving unit pushes every tick, so the force is read at most once a second.
let forceDue: ReturnType<typeof setTimeout> | undefined;
socket.on('assignments', (assignments) => {
  update((state) => dispatchUpdaters.assignmentsSeen(state, assignments));
  forceDue ??= setTimeout(() => ((forceDue = undefined), void actions.readForce()), 1_000);
});
setInterval(() => void actions.readForce(), forceEveryMs);
// The fleet on the map moves with the city: read again while a case is chosen.
setInterval(() => void actions.readFleet(), fleetEveryMs);
// SLA countdowns move with the clock shown (a replay's runs up to ×120): redrawn when its minute turns.
let minuteShown = 0;
setInterval(() => {
  const minute = Math.floor(replay.now() / 60_000);
  if (minute !== minuteShown) (minuteShown = minute), drawQueue(store.getState());
}, 1_000);

// The time bar. A jump in the past, or back to live: the chosen case is read again as it stood at the moment shown.
mountTimeBar(document.body, replay, language, { view: 'console', openIn: replaySlot });
replay.store.subscribe((state, before) => {
  const jumped = state.mode === 'replay' && state.clock !== before.clock && state.clock?.reset;
  const selected = store.getState().selected;
  if (selected !== null && (jumped || (state.mode === 'live' && before.mode === 'replay'))) void actions.refreshCase(selected);
  if (state.mode !== before.mode) drawForce(store.getState());
});

// A handle for the browser tests.
Object.assign(window, { onescreen: { map, overlay, store, replay } });
