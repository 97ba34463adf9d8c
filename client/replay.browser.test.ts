import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { caseNearUnit, driveInRealTime, fileReport, osmandFix, seen } from '../server/test-server.ts';
import type { Incident, UnitCandidate, Warning } from '../streams/index.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';
import { localInputValue } from './time-bar.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const { scene, unit: inspector } = caseNearUnit(karamay, 'inspector');

/** What the wall showed, in order: each new fix of the unit where it drew it, each state of the report, the warning's first showing. */
type Shown = ({ fix: number; lon: number; lat: number } | { report: string } | { warning: number })[];

interface RecordingWindow extends OnescreenWindow {
  shown: Shown;
  onescreen: OnescreenWindow['onescreen'] & { socket: { on(message: string, listener: () => void): void }; table: OnescreenWindow['onescreen']['table'] & { updatedAt: Float64Array } };
}

describe.skipIf(!chromiumPath && !process.env.CI)('the wall replaying the past', () => {
  const wall = wallTestContext(chromiumPath);

  it('records a report, its dispatch, the unit driving there and a warning live, then replays that window from the time bar: the same states in the same order, the unit at the same places; and goes back to live', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '', { width: 1920, height: 1080 });
    // The page notes what the wall shows after each message it takes (positions, reports, a
    // warning), live or replayed: its listeners run after the wall's own.
    await page.evaluate(([id]) => {
      const w = window as unknown as RecordingWindow;
      w.shown = [];
      const look = () => {
        const slot = w.onescreen.table.ids.indexOf(id!);
        const fix = slot >= 0 ? w.onescreen.table.updatedAt[slot]! : 0;
        const last = <T extends string>(key: T) => w.shown.findLast((entry) => key in entry) as Record<T, unknown> | undefined;
        if (fix > 0 && fix !== last('fix')?.fix) w.shown.push({ fix, lon: w.onescreen.table.positions[2 * slot]!, lat: w.onescreen.table.positions[2 * slot + 1]! });
        for (const alert of w.onescreen.alerts.items()) {
          if (alert.id.startsWith('report-') && alert.state !== last('report')?.report) w.shown.push({ report: alert.state! });
          const warning = alert.id.startsWith('warning-') ? Number(alert.id.slice('warning-'.length)) : undefined;
          if (warning !== undefined && !w.shown.some((entry) => 'warning' in entry && entry.warning === warning)) w.shown.push({ warning });
        }
      };
      for (const message of ['positions', 'service-requests', 'warning']) w.onescreen.socket.on(message, look);
    }, [inspector.id]);
    const shown = () => page.evaluate(() => (window as unknown as RecordingWindow).shown);
    const startOver = () => page.evaluate(() => ((window as unknown as RecordingWindow).shown = []));

    // Live: the inspector reports in; a citizen reports rubbish at a crossing near by; the dispatcher
    // sends the inspector, who walks there (a fix a second) and arrives; then a warning goes out.
    const started = Date.now() - 1_000;
    const firstS = Math.floor(Date.now() / 1000);
    expect((await osmandFix(wall.server.osmandUrl, inspector.id, inspector.point, firstS)).status).toBe(200);
    await seen(async () => (await shown()).find((entry) => 'fix' in entry && entry.fix === firstS * 1000));
    await fileReport(wall.server, { service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: '垃圾满溢' });
    await seen(async () => (await shown()).find((entry) => 'report' in entry && entry.report === 'registered'));
    const dispatcher = await wall.server.as('dispatcher');
    const post = (path: string, body: unknown) => dispatcher.fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const incident = await seen(async () => ((await (await dispatcher.fetch('/api/incidents')).json()) as Incident[]).find((i) => i.category === 'garbage'));
    const [best] = ((await (await dispatcher.fetch(`/api/incidents/${incident.id}/candidates`)).json()) as { candidates: UnitCandidate[] }).candidates;
    expect(best!.id).toBe(inspector.id);
    expect((await post(`/api/incidents/${incident.id}/assignments`, { unitId: inspector.id })).status).toBe(201);
    await seen(async () => (await shown()).find((entry) => 'report' in entry && entry.report === 'dispatched'));
    // Its fixes are timed after the dispatch (whole seconds), as the wall showed them after it.
    const lastS = await driveInRealTime(wall.server.osmandUrl, inspector.id, best!.route, Math.floor(Date.now() / 1000), (second) => seen(async () => (await shown()).find((entry) => 'fix' in entry && entry.fix === second * 1000)));
    await seen(async () => (await shown()).find((entry) => 'report' in entry && entry.report === 'handled'));
    const warning = (await (await post('/api/warnings', { message: '暴雨红色预警', center: scene, radiusM: 800 })).json()) as Warning;
    await seen(async () => (await shown()).find((entry) => 'warning' in entry && entry.warning === warning.id));
    const live = (await shown()).filter((entry) => !('fix' in entry) || entry.fix >= started);
    expect(live.filter((entry) => !('fix' in entry))).toEqual([{ report: 'registered' }, { report: 'dispatched' }, { report: 'handled' }, { warning: warning.id }]);

    // The time bar: into the past, jump to where the recording began, ×1, play.
    await page.click('[data-testid="replay-open"]');
    await page.waitForSelector('[data-testid="time-bar"]:not([hidden])');
    expect(await page.evaluate(() => document.body.classList.contains('replaying'))).toBe(true);
    expect(await page.isVisible('[data-testid="connection"]'), 'no "live" badge on a replaying wall').toBe(false);
    await page.fill('[data-testid="replay-jump"]', localInputValue(Math.floor(started / 1000) * 1000));
    await seen(async () => (await page.evaluate(() => (window as unknown as { onescreen: { replay: { state: { clock: { at: number } | null } } } }).onescreen.replay.state.clock?.at)) === Math.floor(started / 1000) * 1000 || undefined);
    await startOver();
    // ×1: however long a step stalls under load (up to a second), fixes a second apart each show.
    await page.click('[data-testid="replay-speed-1"]');
    await page.click('[data-testid="replay-play"]');
    await page.waitForFunction((id) => (window as unknown as RecordingWindow).shown.some((entry) => 'warning' in entry && entry.warning === id), warning.id, { timeout: 60_000 });
    expect(await shown()).toEqual(live);
    expect(await page.textContent('[data-testid="replay-label"]')).toMatch(/^REPLAY\d/);
    // Beside the map, what the dispatcher did then.
    expect(await page.textContent('[data-testid="replay-actions"]')).toMatch(/dispatcher · sent a unit to #\d+ · /);
    // The running figures are the replayed moment's, units free among them (no police unit reported; the inspector was on the case).
    await page.waitForSelector('[data-testid="kpi-open"]:not([data-value=""])');
    const unitsFree = async () => [await page.getAttribute('[data-testid="kpi-police"]', 'data-value'), await page.getAttribute('[data-testid="kpi-inspectors"]', 'data-value')];
    await expect.poll(unitsFree, { timeout: 10_000 }).toEqual(['0', '0']);
    // Who was at the scene in that hour: a right-click there names the inspector (before the
    // track below moves the map to frame it).
    await page.waitForFunction(() => !(window as unknown as OnescreenWindow).onescreen.map.isMoving());
    const at = await page.evaluate(([lon, lat]) => (window as unknown as OnescreenWindow).onescreen.map.project([lon!, lat!]), scene);
    await page.mouse.click(at.x, at.y, { button: 'right' });
    await page.waitForSelector(`[data-testid="who-was-here"] [data-testid="nearby-${inspector.id}"]`);
    // The inspector's track over the hour before the replayed moment: on the map, with its speed chart.
    await page.evaluate((id) => (window as unknown as { onescreen: { showUnit(id: string): void } }).onescreen.showUnit(id), inspector.id);
    await page.click('[data-testid="track-button"]');
    await page.waitForSelector('[data-testid="track-chart"]');
    expect(await page.textContent('[data-testid="track-result"]')).toMatch(/\d+\.\d km · \d+ stops · top \d+ km\/h/);
    await page.screenshot({ path: join(artifacts, 'wall-replay.png') });

    // One click back to live: the frame and the bar go, the wall is live again with the car where it is.
    await page.click('[data-testid="replay-live"]');
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    expect(await page.evaluate(() => document.body.classList.contains('replaying'))).toBe(false);
    expect(await page.isVisible('[data-testid="time-bar"]')).toBe(false);
    await page.waitForFunction(([id, fix]) => {
      const table = (window as unknown as RecordingWindow).onescreen.table;
      return table.updatedAt[table.ids.indexOf(id as string)] === fix;
    }, [inspector.id, lastS * 1000] as const);
    expect(problems).toEqual([]);
    await page.close();
  });
});
