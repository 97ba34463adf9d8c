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
  /** The role may move cases and send units. */
  canDispatch: boolean;
  districtName(id: string | null): string;
  minutesUntil(iso: string): number;
  onStep(detail: IncidentDetail, to: IncidentStatus, note: string): void;
  onSend(incidentId: number, unitId: string): void;
  onFocusCandidate(unitId: string): void;
}

export function mountCasePanel(panel: HTMLElement, context: CasePanelContext) {
  const { t, language, canDispatch, districtName, minutesUntil } = context;
  const noteInput = element('input', 'note') as HTMLInputElement;
  noteInput.placeholder = t.note;
  noteInput.maxLength = 1_000;
  const draw = (state: DispatchState) => {
    const detail = state.detail;
    if (!detail) {
      panel.replaceChildren(element('p', 'dispatch-hint', state.selected === null ? t.choose : '…'));
      return;
    }
    const title = element('h2', 'case-title', `${language === 'en' ? detail.categoryEn : detail.categoryZh} #${detail.id}`);
    const status = element('p', 'case-status', `${t.status[detail.status]} · ${districtName(detail.districtId)} · ${minutesUntil(detail.dueAt) < 0 ? t.overdue(-minutesUntil(detail.dueAt)) : t.due(minutesUntil(detail.dueAt))}`);
    status.dataset.testid = 'case-status';
    const description = element('p', 'case-description', detail.description);
    const steps = element('div', 'case-steps');
    for (const to of canDispatch ? detail.next : []) {
      const button = element('button', `step step-${to}`, t.step(detail.status, to));
      button.dataset.testid = `step-${to}`;
      button.addEventListener('click', () => context.onStep(detail, to, noteInput.value.trim()));
      steps.append(button);
    }
    const sections: HTMLElement[] = [title, status, description, ...(canDispatch ? [noteInput, steps] : [])];
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
    panel.replaceChildren(...sections);
  };

  return {
    draw,
    /** The note is taken with a step: cleared once the step is done. */
    clearNote: () => void (noteInput.value = ''),
  };
}
