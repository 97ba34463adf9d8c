import type { EntityKind, Geofence, Warning } from '../streams/index.ts';
import { dispatchUpdaters, updateWith, type DispatchState, type DispatchStore } from './dispatch-store.ts';
import { entityKindOrder } from './entity-table.ts';
import { element } from './hud.ts';
import { dispatchMessagesFor } from './dispatch-i18n.ts';
import type { Language, messagesFor } from './i18n.ts';

/**
 * The panel for drawing an area on the dispatch map: a geofence (its corners, then a name, the
 * kinds it watches and a dwell limit) or an emergency warning (its corners and the message).
 * The corners come from clicks on the map (see dispatch-map); `call` posts what was drawn.
 */
export function mountAreaTools(
  container: HTMLElement,
  language: Language,
  messages: ReturnType<typeof messagesFor>,
  store: DispatchStore,
  call: <T>(path: string, init?: RequestInit) => Promise<T | undefined>,
  /** The kinds of unit the city has: a fence offers only these, all ticked at first. */
  presentKinds: readonly EntityKind[],
) {
  const t = dispatchMessagesFor(language);
  const update = updateWith(store);
  const watchable: EntityKind[] = entityKindOrder.filter((kind) => presentKinds.includes(kind));
  const fenceName = element('input', 'note') as HTMLInputElement;
  fenceName.placeholder = t.fences.name;
  fenceName.maxLength = 64;
  const fenceDwell = element('input', 'note') as HTMLInputElement;
  fenceDwell.placeholder = t.fences.dwell;
  fenceDwell.type = 'number';
  fenceDwell.min = '1';
  fenceDwell.max = '1440';
  const fenceKinds = new Map(
    watchable.map((kind) => {
      const box = element('input', '') as HTMLInputElement;
      box.type = 'checkbox';
      box.checked = true;
      box.dataset.testid = `fence-kind-${kind}`;
      return [kind, box];
    }),
  );
  const warningMessage = element('textarea', 'note') as HTMLTextAreaElement;
  warningMessage.placeholder = t.warnings.message;
  warningMessage.maxLength = 500;
  warningMessage.rows = 3;
  const warningSeverity = element('select', 'note') as HTMLSelectElement;
  warningSeverity.dataset.testid = 'warning-severity';
  warningSeverity.setAttribute('aria-label', t.warnings.severity);
  for (const level of [4, 3, 2] as const) {
    const option = element('option', '', `${t.warnings.severity} · ${t.warnings.severities[level]}`) as HTMLOptionElement;
    option.value = String(level);
    warningSeverity.append(option);
  }
  // Each warning issued in the last 24 h, newest first, with how its delivery stands.
  const issuedList = (state: DispatchState) => {
    const warnings = [...state.warnings.values()].sort((a, b) => b.id - a.id);
    const list = element('ol', 'issued-warnings');
    list.dataset.testid = 'issued-warnings';
    for (const warning of warnings) {
      const item = element('li', `issued-warning delivery-${warning.delivery}`);
      item.dataset.testid = `issued-warning-${warning.id}`;
      const time = new Date(warning.issuedAt).toLocaleTimeString(language, { hour12: false, hour: '2-digit', minute: '2-digit' });
      item.append(element('span', 'issued-warning-what', `${time} · ${warning.message}`), element('span', 'issued-warning-delivery', t.warnings.delivery[warning.delivery]));
      list.append(item);
    }
    return warnings.length === 0 ? [] : [element('h3', 'case-heading', t.warnings.issued(warnings.length)), list];
  };
  const draw = (state: DispatchState) => {
    if (!state.drawing) {
      const startFence = element('button', 'step', t.fences.draw);
      startFence.dataset.testid = 'fence-draw';
      startFence.addEventListener('click', () => update((s) => dispatchUpdaters.drawing(s, { purpose: 'fence', corners: [] })));
      const startWarning = element('button', 'step step-warning', t.warnings.draw);
      startWarning.dataset.testid = 'warning-draw';
      startWarning.addEventListener('click', () => update((s) => dispatchUpdaters.drawing(s, { purpose: 'warning', corners: [] })));
      const buttons = element('div', 'case-steps');
      buttons.append(startFence, startWarning);
      container.replaceChildren(buttons, ...issuedList(state));
      return;
    }
    const cancel = element('button', 'step step-cancelled', t.fences.cancel);
    cancel.addEventListener('click', () => update((s) => dispatchUpdaters.drawing(s, null)));
    const buttons = element('div', 'case-steps');
    const hint = element('p', 'dispatch-hint', `${state.drawing.purpose === 'warning' ? t.warnings.hint : t.fences.hint} (${state.drawing.corners.length})`);
    hint.dataset.testid = 'drawing-hint';
    if (state.drawing.purpose === 'warning') {
      const send = element('button', 'step step-warning', t.warnings.send);
      send.dataset.testid = 'warning-send';
      send.addEventListener('click', () => void sendWarning());
      buttons.append(send, cancel);
      container.replaceChildren(hint, warningSeverity, warningMessage, buttons);
      return;
    }
    const kinds = element('div', 'fence-kinds');
    kinds.append(element('span', '', t.fences.watch));
    for (const [kind, box] of fenceKinds) {
      const label = element('label', 'fence-kind');
      label.append(box, document.createTextNode(messages.kinds[kind]));
      kinds.append(label);
    }
    const save = element('button', 'step', t.fences.save);
    save.dataset.testid = 'fence-save';
    save.addEventListener('click', () => void saveFence());
    buttons.append(save, cancel);
    container.replaceChildren(hint, fenceName, kinds, fenceDwell, buttons);
  };
  const saveFence = async (): Promise<void> => {
    const drawing = store.getState().drawing?.corners ?? [];
    const dwell = Number(fenceDwell.value);
    // A fence that watches nothing is refused here, in words, before the server would.
    if (![...fenceKinds.values()].some((box) => box.checked)) return update((state) => dispatchUpdaters.problemSeen(state, t.fences.watchNothing));
    const created = await call<Geofence>('/api/geofences', {
      method: 'POST',
      body: JSON.stringify({
        name: fenceName.value.trim(),
        kind: 'area',
        polygon: drawing,
        kinds: [...fenceKinds].filter(([, box]) => box.checked).map(([kind]) => kind),
        ...(fenceDwell.value && { dwellMinutes: dwell }),
      }),
    });
    if (!created) return;
    fenceName.value = '';
    fenceDwell.value = '';
    update((state) => dispatchUpdaters.problemSeen(dispatchUpdaters.fencesRead(dispatchUpdaters.drawing(state, null), [...state.fences, created]), null));
  };
  const sendWarning = async (): Promise<void> => {
    const body = { message: warningMessage.value.trim(), severity: Number(warningSeverity.value), polygon: store.getState().drawing?.corners ?? [] };
    const issued = await call<Warning>('/api/warnings', { method: 'POST', body: JSON.stringify(body) });
    if (!issued) return;
    warningMessage.value = '';
    // The area stays on the map, with its delivery, until the warning is a day old.
    update((state) => dispatchUpdaters.problemSeen(dispatchUpdaters.warningsSeen(dispatchUpdaters.drawing(state, null), [issued]), null));
  };
  return { draw };
}
