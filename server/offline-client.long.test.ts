import { describe, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { Incident } from '../streams/index.ts';
import { consoleThrough } from './test-console.ts';
import { startTcpProxy } from './test-network.ts';
import { seen, startTestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const cases = 125;
const offlineMs = 60_000;

// Both at once, each on its own server: the minute offline is spent once.
describe('a console offline for a minute', () => {
  it.concurrent.for([
    { recovery: 'on', env: {} },
    { recovery: 'off', env: { SOCKET_RECOVERY_S: '0' } },
  ])('takes the 500 changes it missed, each once and in order per incident, and ends where the database is, connection-state recovery $recovery', async ({ recovery, env }, { expect }) => {
    const server = await startTestServer(testBackends()[0]!, { TICK_MS: '200', ...env });
    const dispatcher = await server.as('dispatcher');
    const proxy = await startTcpProxy('127.0.0.1', Number(new URL(server.url).port));
    const desk = consoleThrough(proxy.through(server.url), dispatcher);
    try {
      await seen(() => (desk.resumed() === 1 && desk.feedPushes() > 0 ? true : undefined), 20_000);
      const cut = Date.now();
      proxy.cut();
      await seen(() => (desk.socket.connected ? undefined : true));

      // 125 alarms open 125 cases (version 1); each is dispatched, handled and answered (2–4): 500 changes.
      const alarms = Array.from({ length: cases }, (_, i) => {
        const at = karamay.busStops[i % karamay.busStops.length]!.point;
        return { id: `JJ-${String(i).padStart(4, '0')}`, line: '110', category: 'crime', lat: at[1], lon: at[0], description: `case ${i}` };
      });
      const opened = (await (await server.feed('/ingest/alarms', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ alarms }) })).json()) as { accepted: { incidentId: number }[] };
      const ids = opened.accepted.map((alarm) => alarm.incidentId);
      expect(ids).toHaveLength(cases);
      const step = async (id: number, to: string) => {
        const moved = await dispatcher.fetch(`/api/incidents/${id}/transitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ to }) });
        expect(moved.status, `${id} to ${to}: ${moved.status === 200 ? '' : await moved.text()}`).toBe(200);
      };
      for (const to of ['dispatched', 'handling', 'answered']) await Promise.all(ids.map((id) => step(id, to)));
      expect(Date.now() - cut, 'the changes fit in the minute offline').toBeLessThan(offlineMs);
      expect(desk.connections).toHaveLength(1);

      await new Promise((resolve) => setTimeout(resolve, offlineMs - (Date.now() - cut)));
      const acceptedBefore = proxy.accepted();
      proxy.restore();
      // 50 more as it comes back, sent the moment its connection reaches the server, so that they
      // land while the server takes the session back: an answer reopened for handling (version 5).
      await seen(() => (proxy.accepted() > acceptedBefore ? true : undefined));
      await Promise.all(ids.slice(0, 50).map((id) => step(id, 'handling')));

      const latest = new Map(((await (await dispatcher.fetch('/api/incidents?limit=500')).json()) as Incident[]).map((incident) => [incident.id, incident]));
      const behind = () => ids.filter((id) => desk.store.getState().incidents.get(id)?.version !== latest.get(id)!.version);
      // Failed twice on CI (recovery 'on', a loaded machine) and never alone: say what was left.
      await seen(() => (behind().length === 0 ? true : undefined), 30_000).catch((error: Error) => {
        const sample = behind().slice(0, 3).map((id) => `${id}: ${desk.store.getState().incidents.get(id)?.version} of ${latest.get(id)!.version}`);
        throw new Error(`${error.message}: ${behind().length} of ${ids.length} cases behind (${sample.join(', ')}); connections so far (recovered?) ${JSON.stringify(desk.connections)}, connected now ${desk.socket.connected}`);
      });
      expect(desk.connections).toEqual([false, recovery === 'on']);
      for (const id of ids) {
        expect(desk.store.getState().incidents.get(id), `incident ${id}`).toEqual(latest.get(id));
        const versions = desk.taken.get(id)!;
        // Recovered, the console is handed every change it missed; otherwise it reads the queue
        // again and takes what is newer since. Either way no version twice, none out of order.
        if (recovery === 'on') expect(versions, `incident ${id}`).toEqual(ids.slice(0, 50).includes(id) ? [1, 2, 3, 4, 5] : [1, 2, 3, 4]);
        else expect(versions.every((version, i) => i === 0 || version > versions[i - 1]!), `incident ${id}: ${versions}`).toBe(true);
      }
    } finally {
      desk.socket.close();
      await proxy.close();
      await server.close();
    }
  });
});
