// The device registry in the admin console: find units, register one, import a CSV (each bad row
// named by line and field, nothing imported until the file is right), retire a unit.
import type { CitySummary, EntityKind } from '../streams/index.ts';
import type { AdminMessages } from './admin-i18n.ts';
import { button, formRow, input, labelled, select, shortTime, table, type PanelContext } from './admin-ui.ts';
import { element } from './hud.ts';

interface Device {
  id: string;
  kind: EntityKind;
  label: string;
  agency: string | null;
  districtId: string | null;
  retiredAt: string | null;
  lastFixAt: string | null;
}
interface ImportProblem {
  line?: number;
  field: string;
  message: string;
}
const kinds: readonly EntityKind[] = ['police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck'];
// Typing pauses this long before the registry is asked, ms.
const findAfterMs = 250;

export function mountDevices(root: HTMLElement, t: AdminMessages, context: PanelContext & { csrf: string; city: CitySummary }) {
  const { call, say, language, city } = context;
  const w = t.devices;
  const districtName = (id: string | null) => {
    const district = city.districts.find((d) => d.id === id);
    return district ? (language === 'en' ? district.nameEn : district.nameZh) : '—';
  };
  const kindOptions = kinds.map((kind) => [kind, t.kinds[kind]] as const);

  const id = input('device-id', { maxLength: 64, placeholder: '860123456789012' });
  const kind = select('device-kind', kindOptions);
  const label = input('device-label', { maxLength: 64 });
  const agency = input('device-agency', { maxLength: 128 });
  const district = select('device-district', [['', '—'], ...city.districts.map((d) => [d.id, language === 'en' ? d.nameEn : d.nameZh] as const)]);
  const register = async () => {
    const body = { id: id.value.trim(), kind: kind.value, label: label.value.trim(), ...(agency.value.trim() && { agency: agency.value.trim() }), ...(district.value && { district: district.value }) };
    const stored = await call<Device>('/api/devices', { method: 'POST', body: JSON.stringify(body) });
    if (!stored) return;
    say(t.saved);
    for (const field of [id, label]) field.value = '';
    await refresh();
  };

  // The CSV goes as it is; the server checks every row and answers each problem with its line.
  const file = input('device-csv', { type: 'file', accept: '.csv,text/csv' });
  const problems = element('ul', 'admin-problems');
  problems.dataset.testid = 'device-import-problems';
  const importCsv = async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    problems.replaceChildren();
    const response = await fetch('/api/devices/import', { method: 'POST', headers: { 'content-type': 'text/csv', 'x-csrf-token': context.csrf }, body: await chosen.text() }).catch(() => undefined);
    const answer = ((await response?.json().catch(() => undefined)) ?? {}) as { registered?: number; error?: string; problems?: ImportProblem[] };
    if (response?.ok) {
      say(w.imported(answer.registered ?? 0));
      file.value = '';
      return void (await refresh());
    }
    if (!answer.problems) return say(t.failed(answer.error ?? `HTTP ${response?.status ?? '—'}`));
    say(w.problems(answer.problems.length));
    problems.replaceChildren(...answer.problems.map((p) => element('li', '', `${p.line ? `${w.line(p.line)} · ` : ''}${p.field}: ${p.message}`)));
  };

  const find = input('device-find', { type: 'search', placeholder: w.search });
  const kindFilter = select('device-kind-filter', [['', '—'], ...kindOptions]);
  const retired = Object.assign(document.createElement('input'), { type: 'checkbox' });
  retired.dataset.testid = 'device-show-retired';
  const count = element('span', 'admin-count');
  const list = element('div', 'admin-list');
  const refresh = async () => {
    const query = new URLSearchParams({ retired: String(retired.checked), limit: '200', ...(find.value.trim() && { q: find.value.trim() }), ...(kindFilter.value && { kind: kindFilter.value }) });
    const found = await call<{ total: number; devices: Device[] }>(`/api/devices?${query}`);
    if (!found) return;
    count.textContent = w.shown(found.devices.length, found.total);
    list.replaceChildren(
      table(
        'devices',
        [w.id, w.kind, w.label, w.agency, w.district, w.lastFix, ''],
        found.devices.map((device) => ({
          id: device.id,
          cells: [
            device.id,
            t.kinds[device.kind],
            device.label,
            device.agency ?? '—',
            districtName(device.districtId),
            shortTime(device.lastFixAt, language, w.never),
            device.retiredAt ? w.retired : button(w.retire, `device-retire-${device.id}`, () => void retire(device)),
          ],
        })),
      ),
    );
  };
  const retire = async (device: Device) => {
    if (await call(`/api/devices/${encodeURIComponent(device.id)}/retire`, { method: 'POST' })) (say(t.saved), await refresh());
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  find.addEventListener('input', () => (clearTimeout(timer), (timer = setTimeout(() => void refresh(), findAfterMs))));
  for (const control of [kindFilter, retired]) control.addEventListener('change', () => void refresh());
  const showRetired = element('label', 'admin-check');
  showRetired.append(retired, w.showRetired);

  root.append(
    formRow(
      'device-register',
      [labelled(w.id, id), labelled(w.kind, kind), labelled(w.label, label), labelled(w.agency, agency), labelled(w.district, district), button(w.register, 'device-register-button', () => void register(), 'primary')],
      () => void register(),
    ),
    formRow('device-import', [labelled(w.importHint, file), button(w.importCsv, 'device-import-button', () => void importCsv())], () => void importCsv()),
    problems,
    formRow('device-filter', [find, kindFilter, showRetired, count], () => void refresh()),
    list,
  );
  return { refresh };
}
