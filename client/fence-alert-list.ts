// The geofence alerts under the dispatch queue: newest first, each with its repeats, and the
// actions the role may take: acknowledge, assign to me, clear one, or clear a fence's all at once.
import type { GeofenceAlert, SessionInfo } from '../streams/index.ts';
import type { DispatchMessages } from './dispatch-i18n.ts';
import type { DispatchState } from './dispatch-store.ts';
import { element } from './hud.ts';

// The list shows this many; the heading counts them all.
const shownAlerts = 20;

export interface FenceAlertActions {
  change(id: number, action: 'acknowledge' | 'assign' | 'clear'): void;
  clearFence(geofenceId: number): void;
  show(alert: GeofenceAlert): void;
}

export function mountFenceAlertList(title: HTMLElement, list: HTMLElement, t: DispatchMessages, session: Pick<SessionInfo, 'user' | 'permissions'>, actions: FenceAlertActions) {
  const mayAct = session.permissions.includes('alerts:write');
  const button = (label: string, testid: string, onClick: () => void) => {
    const node = element('button', 'fence-action', label);
    node.dataset.testid = testid;
    node.addEventListener('click', onClick);
    return node;
  };
  const item = (alert: GeofenceAlert) => {
    const node = element('li', `fence-alert fence-alert-${alert.state}`);
    node.dataset.testid = `fence-alert-${alert.id}`;
    const repeats = alert.repeats > 0 ? ` · ${t.fences.repeats(alert.repeats)}` : '';
    const what = element('span', 'fence-alert-what', `${t.fences.event[alert.event]} · ${alert.geofenceName}${repeats}`);
    const who = element('span', 'fence-alert-who', `${alert.entityLabel} · ${t.fences.state[alert.state]}${alert.assignedTo ? ` → ${alert.assignedTo}` : ''}`);
    const buttons = element('span', 'fence-alert-actions');
    if (mayAct) {
      if (alert.state === 'new') buttons.append(button(t.fences.acknowledge, `fence-acknowledge-${alert.id}`, () => actions.change(alert.id, 'acknowledge')));
      if (alert.assignedTo !== session.user.id) buttons.append(button(t.fences.assignToMe, `fence-assign-${alert.id}`, () => actions.change(alert.id, 'assign')));
      buttons.append(button(t.fences.clear, `fence-clear-${alert.id}`, () => actions.change(alert.id, 'clear')));
    }
    node.append(what, who, buttons);
    node.addEventListener('click', (event) => event.target === node && actions.show(alert));
    return node;
  };
  return {
    draw(state: DispatchState): void {
      const alerts = [...state.fenceAlerts.values()].sort((a, b) => b.id - a.id);
      title.textContent = t.fences.alerts(alerts.length);
      // A fence with several alerts gets one button that clears them all: a flood is one click.
      const byFence = new Map<number, GeofenceAlert[]>();
      for (const alert of alerts) (byFence.get(alert.geofenceId) ?? byFence.set(alert.geofenceId, []).get(alert.geofenceId)!).push(alert);
      const bulk = mayAct
        ? [...byFence].filter(([, of]) => of.length > 1).map(([geofenceId, of]) => {
            const row = element('li', 'fence-alert-bulk');
            row.append(button(t.fences.clearFence(of[0]!.geofenceName, of.length), `fence-clear-all-${geofenceId}`, () => actions.clearFence(geofenceId)));
            return row;
          })
        : [];
      list.replaceChildren(...bulk, ...alerts.slice(0, shownAlerts).map(item));
    },
  };
}
