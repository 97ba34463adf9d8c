import type { EntityKind, Geofence, Warning } from '../streams/index.ts';
import { dispatchUpdaters, updateWith, type DispatchState, type DispatchStore } from './dispatch-store.ts';
import { entityKindOrder } from './entity-table.ts';
import { element } from './hud.ts';
import type { messagesFor } from './i18n.ts';

/**
 * The panel for drawing an area on the dispatch map: a geofence (its corners, then a name, the
 * kinds it watches and a dwell limit) or an emergency warning (its corners and the message).
 * The corners come from clicks on the map (see dispatch-map); `call` posts what was drawn.
 */
export function mountAreaTools(
  container: HTMLElement,
  messages: ReturnType<typeof messagesFor>,
  store: DispatchStore,
  call: <T>(path: string, init?: RequestInit) => Promise<T | undefined>,
) {
  const t = messages.dispatch;
  const update = updateWith(store);
  const watchable: EntityKind[] = [...entityKindOrder];
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
      box.checked = kind === 'truck';
      box.dataset.testid = `fence-kind-${kind}`;
      return [kind, box];
    }),
  );
  const warningMessage = element('textarea', 'note') as HTMLTextAreaElement;
  warningMessage.placeholder = t.warnings.message;
  warningMessage.maxLength = 500;
  warningMessage.rows = 3;
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
      container.replaceChildren(buttons);
      return;
    }
    const cancel = element('button', 'step step-cancelled', t.fences.cancel);
    cancel.addEventListener('click', () => update((s) => dispatchUpdaters.drawing(s, null)));
    const buttons = element('div', 'case-steps');
    const hint = element('p', 'dispatch-hint', `${t.fences.hint} (${state.drawing.corners.length})`);
    if (state.drawing.purpose === 'warning') {
      const send = element('button', 'step step-warning', t.warnings.send);
      send.dataset.testid = 'warning-send';
      send.addEventListener('click', () => void sendWarning());
      buttons.append(send, cancel);
      container.replaceChildren(hint, warningMessage, buttons);
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
    const issued = await call<Warning>('/api/warnings', { method: 'POST', body: JSON.stringify({ message: warningMessage.value.trim(), polygon: store.getState().drawing?.corners ?? [] }) });
    if (!issued) return;
    warningMessage.value = '';
    update((state) => dispatchUpdaters.problemSeen(dispatchUpdaters.drawing(state, null), null));
  };
  return { draw };
}
