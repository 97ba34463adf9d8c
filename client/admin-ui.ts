// Small pieces the admin console's panels are built from: labelled controls, buttons, tables.
import { element } from './hud.ts';

/** The admin API as the console calls it: undefined when refused (the console has said why). */
export type AdminCall = <T>(path: string, init?: RequestInit) => Promise<T | undefined>;

/** What every panel is given. */
export interface PanelContext {
  call: AdminCall;
  /** Says something to the admin in the page's banner (null clears it). */
  say(message: string | null): void;
  language: 'zh-CN' | 'en';
}

export function input(testid: string, attributes: Partial<HTMLInputElement> = {}): HTMLInputElement {
  const node = Object.assign(document.createElement('input'), { className: 'admin-input', autocomplete: 'off', ...attributes });
  node.dataset.testid = testid;
  return node;
}

export function select(testid: string, options: readonly (readonly [value: string, label: string])[]): HTMLSelectElement {
  const node = Object.assign(document.createElement('select'), { className: 'admin-input' });
  node.dataset.testid = testid;
  node.append(...options.map(([value, label]) => Object.assign(document.createElement('option'), { value, textContent: label })));
  return node;
}

export function button(text: string, testid: string, onClick: () => void, kind: 'primary' | 'plain' = 'plain'): HTMLButtonElement {
  const node = Object.assign(element('button', `admin-button admin-${kind}`, text) as HTMLButtonElement, { type: 'button' as const });
  node.dataset.testid = testid;
  node.addEventListener('click', onClick);
  return node;
}

/** A control with its label above it. */
export function labelled(label: string, control: HTMLElement): HTMLElement {
  const wrap = element('label', 'admin-field');
  wrap.append(element('span', 'admin-label', label), control);
  return wrap;
}

/** A row of controls that submits with its primary button (or Enter in a field). */
export function formRow(testid: string, controls: HTMLElement[], onSubmit: () => void): HTMLFormElement {
  const form = element('form', 'admin-form') as HTMLFormElement;
  form.dataset.testid = testid;
  form.append(...controls);
  form.addEventListener('submit', (event) => (event.preventDefault(), onSubmit()));
  return form;
}

/** A table: a header row, then one row per item; cells are text (never HTML) or elements. */
export function table(testid: string, headers: readonly string[], rows: readonly { id: string; cells: readonly (string | HTMLElement)[] }[]): HTMLTableElement {
  const node = element('table', 'admin-table') as HTMLTableElement;
  node.dataset.testid = testid;
  const head = element('tr', '');
  head.append(...headers.map((header) => element('th', '', header)));
  node.append(head);
  for (const row of rows) {
    const line = element('tr', '');
    line.dataset.testid = `${testid}-${row.id}`;
    line.append(...row.cells.map(cellOf));
    node.append(line);
  }
  return node;
}

const cellOf = (content: string | HTMLElement) => {
  const cell = element('td', '');
  cell.append(content);
  return cell;
};

/** A time as the admin reads it: local, to the second. */
export const shortTime = (iso: string | null, language: string, never = '—') => (iso ? new Date(iso).toLocaleString(language, { hour12: false }) : never);
