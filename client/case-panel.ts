// The case on the dispatch console: what, where, status and SLA, the steps it may take, the units
// to send and sent, and its history. Steps and sending are offered only to a role that may do them.
import type { IncidentStatus } from '../streams/index.ts';
import type { DispatchMessages } from './dispatch-i18n.ts';
import type { DispatchState, IncidentDetail } from './dispatch-store.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';
import { entityColors } from './theme.ts';

export interface CasePanelContext {
  t: DispatchMessages;
  language: Language;
  /** The role may move cases and send units, now (not in a replay's past). */
  canDispatch(): boolean;
  districtName(id: string | null): string;
  minutesUntil(iso: string): number;
  onStep(detail: IncidentDetail, to: IncidentStatus, note: string): void;
  onSend(incidentId: number, unitId: string): void;
  onFocusCandidate(unitId: string): void;
  /** Merge this case into the one it probably repeats. */
  onMerge(detail: IncidentDetail, into: number): void;
  /** Ask what else happened near this case. */
  onNearby(detail: IncidentDetail): void;
}

const finishedStatuses: readonly IncidentStatus[] = ['closed', 'cancelled'];
const dutyCounts = (fleet: DispatchState['fleet']) => {
  const counts = { available: 0, 'en-route': 0, 'on-scene': 0, 'off-duty': 0 };
  for (const unit of fleet) counts[unit.duty] += 1;
  return counts;
};

export function mountCasePanel(panel: HTMLElement, context: CasePanelContext) {
  const { t, language, districtName, minutesUntil } = context;
  // The fleet's counts change every few seconds: written in place, so the panel (and a note being typed) stays put.
  const fleetLine = element('p', 'case-fleet');
  fleetLine.dataset.testid = 'case-fleet';
  const drawFleet = (fleet: DispatchState['fleet']) => {
    fleetLine.hidden = fleet.length === 0;
    fleetLine.textContent = fleet.length === 0 ? '' : t.fleet(dutyCounts(fleet));
  };
  const noteInput = element('input', 'note') as HTMLInputElement;
  noteInput.placeholder = t.note;
  noteInput.maxLength = 1_000;
  const draw = (state: DispatchState) => {
    const detail = state.detail;
    const canDispatch = context.canDispatch();
    if (!detail) {
      panel.replaceChildren(element('p', 'dispatch-hint', state.selected === null ? t.choose : '…'));
      return;
    }
    const title = element('h2', 'case-title', `${language === 'en' ? detail.categoryEn : detail.categoryZh} #${detail.id}`);
    const status = element('p', 'case-status', `${t.status[detail.status]} · ${districtName(detail.districtId)} · ${minutesUntil(detail.dueAt) < 0 ? t.overdue(-minutesUntil(detail.dueAt)) : t.due(minutesUntil(detail.dueAt))}`);
    status.dataset.testid = 'case-status';
    const description = element('p', 'case-description', detail.description);
    const caller = detail.call ? [element('p', 'case-call', `☎ ${detail.call.callerPhone}${detail.call.line ? ` · ${detail.call.line}` : ''} · ${detail.call.takenBy}`)] : [];
    const steps = element('div', 'case-steps');
    for (const to of canDispatch ? detail.next : []) {
      const button = element('button', `step step-${to}`, t.step(detail.status, to));
      button.dataset.testid = `step-${to}`;
      button.addEventListener('click', () => context.onStep(detail, to, noteInput.value.trim()));
      steps.append(button);
    }
    const sections: HTMLElement[] = [title, status, description, ...caller, ...(canDispatch ? [noteInput, steps] : []), ...repeatOf(detail), ...nearbyOf(state, detail)];
    drawFleet(state.fleet);
    sections.push(fleetLine);
    const sent = [...state.assignments.values()];
    if (sent.length > 0) {
      const list = element('ul', 'assignments');
      for (const assignment of sent) {
        const item = element('li', `assignment assignment-${assignment.status}`);
        item.dataset.testid = `assignment-${assignment.unitId}`;
        const eta = assignment.status === 'en-route' && assignment.liveEtaS !== null ? ` · ${t.eta(assignment.liveEtaS)}` : '';
        item.append(element('span', 'unit-label', assignment.unitLabel), element('span', 'unit-state', `${t.duty[assignment.status]}${eta}`));
        list.append(item);
      }
      sections.push(element('h3', 'case-heading', t.assignments), list);
    }
    if (state.candidates === 'not-tracked') sections.push(element('p', 'dispatch-hint', t.noUnitsTracked));
    else if (canDispatch && ['registered', 'dispatched', 'handling'].includes(detail.status)) {
      sections.push(element('h3', 'case-heading', t.candidates));
      if (state.candidates === null) sections.push(element('p', 'dispatch-hint', '…'));
      else if (state.candidates.length === 0) sections.push(element('p', 'dispatch-hint', t.noCandidates));
      else {
        const list = element('ol', 'candidates');
        for (const candidate of state.candidates) {
          const item = element('li', 'candidate');
          item.dataset.testid = `candidate-${candidate.id}`;
          item.addEventListener('mouseenter', () => context.onFocusCandidate(candidate.id));
          const send = element('button', 'send', t.send);
          send.dataset.testid = `send-${candidate.id}`;
          send.addEventListener('click', () => context.onSend(detail.id, candidate.id));
          const swatch = element('span', 'swatch');
          swatch.style.background = `rgb(${entityColors[candidate.kind].join(',')})`;
          item.append(swatch, element('span', 'unit-label', candidate.label), element('span', 'unit-eta', t.eta(candidate.etaS)), element('span', 'unit-road', t.road(candidate.roadM)), send);
          list.append(item);
        }
        sections.push(list);
      }
    } else if (detail.status === 'reported') sections.push(element('p', 'dispatch-hint', t.needsRegistering));
    const history = element('ol', 'history');
    for (const entry of detail.history) {
      history.append(element('li', '', `${new Date(entry.at).toLocaleTimeString(language, { hour12: false })} · ${entry.actor} · ${t.status[entry.toStatus]}${entry.note ? ` · ${entry.note}` : ''}`));
    }
    sections.push(element('h3', 'case-heading', t.history), history);
    // Units en route redraw the panel every tick: a note being typed keeps its focus and caret.
    const typing = document.activeElement === noteInput ? [noteInput.selectionStart, noteInput.selectionEnd] : null;
    panel.replaceChildren(...sections);
    if (typing) (noteInput.focus(), noteInput.setSelectionRange(typing[0] ?? null, typing[1] ?? null));
  };

  /** A probable repeat: said, and merged with one click by a role that may. */
  const repeatOf = (detail: IncidentDetail): HTMLElement[] => {
    const into = detail.possibleDuplicateOf;
    if (into === null || detail.duplicateOf !== null || finishedStatuses.includes(detail.status)) return [];
    const box = element('div', 'case-repeat');
    box.append(element('span', '', t.duplicateOf(into)));
    if (context.canDispatch()) {
      const merge = element('button', 'step step-cancelled', t.merge(into));
      merge.dataset.testid = 'merge';
      merge.addEventListener('click', () => context.onMerge(detail, into));
      box.append(merge);
    }
    return [box];
  };
  /** "What else happened near here": asked with a button, answered in a list and on the map. */
  const nearbyOf = (state: DispatchState, detail: IncidentDetail): HTMLElement[] => {
    const ask = element('button', 'fence-action', t.nearby);
    ask.dataset.testid = 'nearby';
    ask.addEventListener('click', () => context.onNearby(detail));
    const nearby = state.nearby;
    if (!nearby) return [ask];
    const list = element('ul', 'nearby');
    list.dataset.testid = 'nearby-list';
    const count = nearby.incidents.length + nearby.cameraEvents.length + nearby.units.length;
    list.append(
      ...nearby.incidents.slice(0, 8).map((i) => element('li', '', `#${i.id} ${language === 'en' ? i.categoryEn : i.categoryZh} · ${t.status[i.status]} · ${t.metres(i.distanceM)}`)),
      ...nearby.cameraEvents.slice(0, 5).map((e) => element('li', '', `${e.cameraId} · ${e.description || e.kind} · ${t.metres(e.distanceM)}`)),
      ...nearby.units.slice(0, 5).map((u) => element('li', '', `${u.label} · ${t.metres(u.distanceM)}`)),
    );
    const summary = element('p', 'dispatch-hint', count === 0 ? t.nearbyNone : t.nearbyFound(nearby.incidents.length, nearby.cameraEvents.length, nearby.units.length));
    return [ask, summary, list];
  };

  return {
    draw,
    drawFleet,
    /** The note is taken with a step: cleared once the step is done. */
    clearNote: () => void (noteInput.value = ''),
  };
}
