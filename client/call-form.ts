// A case from a phone call, on the dispatch console: the caller's number, what happened, where
// (a crossing, road, stop, community or place found by the server's search, or a click on the
// map), in one short form that opens a registered case with its SLA.
import type { CallEvent, Incident, IncidentCategory, SearchHit } from '../streams/index.ts';
import type { DispatchMessages } from './dispatch-i18n.ts';
import { dispatchUpdaters, updateWith, type DispatchStore } from './dispatch-store.ts';
import { element } from './hud.ts';
import type { Language } from './i18n.ts';

// Typing pauses this long before the server is asked for places, ms.
const searchAfterMs = 250;
// The lines a call comes in on (the event model's; the client takes types only from it).
const callLines: readonly NonNullable<CallEvent['line']>[] = ['110', '122', '119', '12345'];

export interface CallFormContext {
  t: DispatchMessages;
  language: Language;
  store: DispatchStore;
  /** Calls the API as the console does: undefined when refused (the console shows why). */
  call<T>(path: string, init?: RequestInit): Promise<T | undefined>;
  /** The case is open: show it. */
  onOpened(incident: Incident): void;
  flyTo(point: [number, number]): void;
}

/** A call number for the form: sent again (a retry, a double click) it opens no second case. */
function newCallId(): string {
  // crypto.randomUUID needs a secure context; a control room may serve the console over plain HTTP.
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `console-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

const field = (label: string, control: HTMLElement) => {
  const wrap = element('label', 'call-field');
  wrap.append(element('span', 'call-label', label), control);
  return wrap;
};
const option = (value: string, text: string) => Object.assign(document.createElement('option'), { value, textContent: text });

export function mountCallForm(root: HTMLElement, context: CallFormContext) {
  const { t, language, store, call } = context;
  const words = t.intake;
  const update = updateWith(store);
  const name = (named: { nameZh: string; nameEn: string }) => (language === 'en' ? named.nameEn : named.nameZh);

  const form = element('form', 'call-form') as HTMLFormElement;
  form.dataset.testid = 'call-form';
  const phone = Object.assign(document.createElement('input'), { type: 'tel', className: 'call-input', maxLength: 32, autocomplete: 'off' });
  phone.dataset.testid = 'call-phone';
  const line = Object.assign(document.createElement('select'), { className: 'call-input' });
  line.dataset.testid = 'call-line';
  line.append(...callLines.map((code) => option(code, code)), option('', words.noLine));
  const category = Object.assign(document.createElement('select'), { className: 'call-input' });
  category.dataset.testid = 'call-category';
  const severity = Object.assign(document.createElement('select'), { className: 'call-input' });
  severity.dataset.testid = 'call-severity';
  severity.append(option('', words.categorySeverity), ...([4, 3, 2, 1] as const).map((level) => option(String(level), words.severities[level])));
  const where = Object.assign(document.createElement('input'), { type: 'search', className: 'call-input', placeholder: words.wherePlaceholder, autocomplete: 'off' });
  where.dataset.testid = 'call-where';
  const places = element('ul', 'call-places');
  places.dataset.testid = 'call-places';
  const at = element('p', 'call-at');
  at.dataset.testid = 'call-at';
  const description = Object.assign(document.createElement('textarea'), { className: 'call-input', rows: 3, maxLength: 2_000 });
  description.dataset.testid = 'call-description';
  const message = element('p', 'dispatch-hint call-message');
  message.dataset.testid = 'call-message';
  const register = Object.assign(element('button', 'step', words.register) as HTMLButtonElement, { type: 'submit' as const });
  register.dataset.testid = 'call-register';
  const cancel = Object.assign(element('button', 'step step-cancelled', words.cancel), { type: 'button' });
  cancel.addEventListener('click', () => close());
  const buttons = element('div', 'case-steps');
  buttons.append(register, cancel);
  form.append(
    element('h2', 'case-title', words.title),
    field(words.phone, phone),
    field(words.line, line),
    field(words.category, category),
    field(words.severity, severity),
    field(words.where, where),
    places,
    at,
    field(words.description, description),
    buttons,
    message,
  );
  form.hidden = true;
  root.append(form);

  let callId = newCallId();
  let categoriesRead = false;
  const readCategories = async () => {
    const categories = categoriesRead ? undefined : await call<IncidentCategory[]>('/api/incident-categories');
    if (!categories) return;
    categoriesRead = true;
    const agencies = [...new Set(categories.map((c) => c.agency))];
    category.replaceChildren(
      option('', '—'),
      ...agencies.map((agency) => {
        const group = Object.assign(document.createElement('optgroup'), { label: agency });
        group.append(...categories.filter((c) => c.agency === agency).map((c) => option(c.code, name(c))));
        return group;
      }),
    );
  };

  // The place search: the server's, places and cameras only (a unit is not where a call is).
  let asked = 0;
  let hits: SearchHit[] = [];
  const pick = (hit: SearchHit) => {
    update((state) => dispatchUpdaters.intake(state, { point: [hit.lon, hit.lat], place: name(hit) }));
    places.replaceChildren();
    context.flyTo([hit.lon, hit.lat]);
  };
  const search = async (term: string) => {
    const ask = ++asked;
    const found = (await call<SearchHit[]>(`/api/search?q=${encodeURIComponent(term)}`)) ?? [];
    if (ask !== asked) return hits;
    hits = found.filter((hit) => hit.kind !== 'entity');
    places.replaceChildren(
      ...hits.map((hit) => {
        const item = element('li', 'search-hit');
        const button = Object.assign(element('button', '', name(hit)), { type: 'button' });
        button.append(element('span', 'search-id', hit.detail));
        button.addEventListener('click', () => pick(hit));
        item.append(button);
        return item;
      }),
      ...(hits.length === 0 ? [element('li', 'search-message', words.notFound)] : []),
    );
    return hits;
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  where.addEventListener('input', () => {
    clearTimeout(timer);
    const term = where.value.trim();
    if (!term) return void places.replaceChildren();
    timer = setTimeout(() => void search(term), searchAfterMs);
  });
  where.addEventListener('keydown', async (event) => {
    if (event.key !== 'Enter') return;
    // Enter takes the best place, as in the wall's search; it does not send the form.
    event.preventDefault();
    clearTimeout(timer);
    const term = where.value.trim();
    const best = term ? (await search(term))[0] : undefined;
    if (best) pick(best);
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  const send = async () => {
    const intake = store.getState().intake;
    const missing = [
      ...(phone.value.trim() ? [] : [words.phone]),
      ...(category.value ? [] : [words.category]),
      ...(intake?.point ? [] : [words.where]),
    ];
    if (missing.length > 0 || !intake?.point) return void (message.textContent = words.missing(missing));
    register.disabled = true;
    const body = {
      callId,
      ...(line.value && { line: line.value }),
      callerPhone: phone.value.trim(),
      category: category.value,
      ...(severity.value && { severity: Number(severity.value) }),
      lon: intake.point[0],
      lat: intake.point[1],
      ...(intake.place && { place: intake.place }),
      description: description.value.trim(),
    };
    const answer = await call<Incident | { incidentId: null }>('/api/incidents', { method: 'POST', body: JSON.stringify(body) });
    register.disabled = false;
    if (!answer) return;
    close();
    if ('id' in answer) context.onOpened(answer);
    else update((state) => dispatchUpdaters.problemSeen(state, words.stored));
  };

  const open = () => {
    callId = newCallId();
    form.reset();
    places.replaceChildren();
    message.textContent = '';
    update((state) => dispatchUpdaters.intake(state, { point: null, place: null }));
    void readCategories();
    phone.focus();
  };
  const close = () => update((state) => dispatchUpdaters.intake(state, null));
  return {
    open,
    /** Shows the form while a call is entered, with where the case is so far. */
    draw(intake: { point: [number, number] | null; place: string | null } | null) {
      form.hidden = intake === null;
      if (!intake) return;
      at.textContent = !intake.point ? words.noPlace : intake.place ? words.at(intake.place) : words.clicked(intake.point[0], intake.point[1]);
    },
  };
}
