import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveAssignment } from '../streams/index.ts';
import { driveAlong, nearestOfKind, osmandFix } from '../server/test-server.ts';
import { artifacts, openSignedInPage, wallTestContext } from './test-wall.ts';

// MapLibreOverlay keeps the props it was last given in `_props`.
type DeckWindow = { onescreen: { overlay: { _props: { layers: { id: string; props: { data: unknown[] } }[] } } } };
type ReplayWindow = { onescreen: { replay: { start(at: number, speed?: number, playing?: boolean): Promise<void> } } };

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const scene = karamay.busStops[12]!.point;
// Three inspectors near the scene report in; with the simulators off, they are the only units on duty.
const inspectors = nearestOfKind(karamay, 'inspector', scene, 3);

describe.skipIf(!chromiumPath && !process.env.CI)('the dispatcher’s console', () => {
  // An SMS gateway that takes every warning: the console shows each one delivered.
  const gateway = createServer((req, res) => void req.resume().on('end', () => res.writeHead(200).end()));
  const env: Record<string, string> = { TICK_MS: '200' };
  beforeAll(async () => {
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    env.WARNING_WEBHOOK_URL = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/sms`;
  });
  afterAll(() => new Promise((resolve) => gateway.close(resolve)));
  const context = wallTestContext(chromiumPath, env);

  it('takes a new report from the queue to a closed case with the nearest unit by road, by clicking', async () => {
    const { server, browser } = context;
    const startS = Math.floor(Date.now() / 1000) - 300;
    for (const inspector of inspectors) expect((await osmandFix(server.osmandUrl, inspector.id, inspector.point, startS)).status).toBe(200);
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'dispatcher');
    await page.goto(new URL('/dispatch?lang=en', server.url).href);
    await page.getByText('No open cases').waitFor({ timeout: 30_000 });

    // A citizen's report arrives while the console is open.
    const report = await server.feed('/open311/v2/requests.json', { method: 'POST', body: new URLSearchParams({ service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: 'Overflowing bins' }) });
    expect(report.status).toBe(201);
    const queued = page.locator('[data-testid^="queue-"]');
    await queued.first().waitFor({ timeout: 10_000 });
    expect(await queued.first().innerText()).toContain('Garbage');
    await queued.first().click();
    await page.getByTestId('case-status').getByText('Registered').waitFor();

    // The units offered are ranked by road ETA, as the API ranks them; the dispatcher sends the first.
    const candidates = page.locator('[data-testid^="candidate-"]');
    await candidates.nth(inspectors.length - 1).waitFor({ timeout: 10_000 });
    const incidentId = (await queued.first().getAttribute('data-testid'))!.replace('queue-', '');
    const dispatcher = await server.as('dispatcher');
    const ranked = ((await (await dispatcher.fetch(`/api/incidents/${incidentId}/candidates`)).json()) as { candidates: { id: string }[] }).candidates.map((c) => c.id);
    expect(await candidates.evaluateAll((items) => items.map((item) => (item as HTMLElement).dataset.testid!.replace('candidate-', '')))).toEqual(ranked);
    await page.getByTestId(`send-${ranked[0]}`).click();
    const sent = page.getByTestId(`assignment-${ranked[0]}`);
    await sent.getByText('En route').waitFor({ timeout: 10_000 });
    await page.getByTestId('case-status').getByText('Dispatched').waitFor();
    await page.screenshot({ path: join(artifacts, 'dispatch-en-route.png') });

    // The unit drives its route; its GPS puts it on scene and the case into handling, live.
    const [assignment] = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`)).json()) as LiveAssignment[];
    for (const status of await driveAlong(server.osmandUrl, server.db, ranked[0]!, assignment!.route)) expect(status).toBe(200);
    await sent.getByText('On scene').waitFor({ timeout: 10_000 });
    await page.getByTestId('case-status').getByText('Handling').waitFor({ timeout: 10_000 });

    // Answered frees the unit; closing takes the case off the queue.
    await page.locator('.note').fill('Bins emptied, citizen told');
    await page.getByTestId('step-answered').click();
    await page.getByTestId('case-status').getByText('Answered').waitFor();
    await sent.getByText('Released').waitFor();
    await page.getByTestId('step-closed').click();
    await page.getByText('No open cases').waitFor();
    await page.screenshot({ path: join(artifacts, 'dispatch-closed.png') });

    const detail = (await (await dispatcher.fetch(`/api/incidents/${incidentId}`)).json()) as { status: string; history: { actor: string; toStatus: string; note: string | null }[] };
    expect(detail.status).toBe('closed');
    expect(detail.history.map((entry) => `${entry.actor}:${entry.toStatus}`)).toEqual(['system:registered', 'dispatcher:dispatched', 'gps:handling', 'dispatcher:answered', 'dispatcher:closed']);
    expect(detail.history[3]!.note).toBe('Bins emptied, citizen told');

    // The console replayed just after the dispatch: the case back in the queue as it stood, the unit sent
    // (on scene only if its back-dated fixes put it there by then), nothing to send or step, the force as it stood.
    const [then] = (await (await dispatcher.fetch(`/api/incidents/${incidentId}/assignments`)).json()) as LiveAssignment[];
    const dispatchedAt = Date.parse((detail.history as unknown as { at: string }[])[1]!.at);
    const replayedAt = Math.max(Date.parse(then!.assignedAt), dispatchedAt) + 1;
    await page.getByTestId('replay-open').click();
    await page.evaluate((at) => (window as unknown as ReplayWindow).onescreen.replay.start(at, 1, false), replayedAt);
    await page.getByTestId(`queue-${incidentId}`).click();
    await page.getByTestId('case-status').getByText('Dispatched').waitFor({ timeout: 10_000 });
    await sent.getByText(Date.parse(then!.arrivedAt!) <= replayedAt ? 'On scene' : 'En route').waitFor();
    expect(await page.locator('[data-testid^="step-"], [data-testid^="candidate-"], [data-testid="merge"]').count(), 'the past is read-only').toBe(0);
    expect(await page.getByTestId('new-case').isVisible()).toBe(false);
    // Inspectors busy (the middle of "available / busy / off" in the force table's inspectors column), summed over districts.
    const inspectorsBusy = () => page.locator('[data-testid^="force-"]').evaluateAll((rows) => rows.reduce((sum, row) => sum + Number(row.querySelectorAll('td')[2]!.textContent!.split(' / ')[1]), 0));
    await expect.poll(inspectorsBusy, { timeout: 10_000 }).toBe(1);
    await page.screenshot({ path: join(artifacts, 'dispatch-replay.png') });
    // A minute on (no further than now): the unit released, the case closed and off the queue, as it went.
    await page.getByTestId('replay-on').click();
    await sent.getByText('Released').waitFor({ timeout: 10_000 });
    await expect.poll(inspectorsBusy, { timeout: 10_000 }).toBe(0);
    await page.getByTestId('case-status').getByText('Closed').waitFor({ timeout: 10_000 });
    await page.getByText('No open cases').waitFor();
    await page.getByTestId('replay-live').click();
    await page.locator('[data-testid^="force-"]').first().waitFor();

    // A geofence and an emergency warning, each drawn by clicking the map's corners.
    const map = (await page.locator('.dispatch-map').boundingBox())!;
    const clickCorners = async () => {
      for (const [dx, dy] of [[-80, -60], [90, -60], [90, 70], [-80, 70]]) await page.mouse.click(map.x + map.width / 2 + dx!, map.y + map.height / 2 + dy!);
    };
    // A fence offers the kinds Karamay has (it has no trucks), all ticked; one watching nothing is refused in words.
    await page.getByTestId('fence-draw').click();
    const offered = await page.locator('[data-testid^="fence-kind-"]').evaluateAll((boxes) => boxes.map((box) => `${(box as HTMLInputElement).dataset.testid!.slice(11)}:${(box as HTMLInputElement).checked}`));
    expect(offered).toEqual(['police-car:true', 'police-officer:true', 'inspector:true', 'bus:true', 'taxi:true']);
    await clickCorners();
    await page.getByText('(4)').waitFor();
    await page.getByPlaceholder('Fence name').fill('School zone');
    for (const box of await page.locator('[data-testid^="fence-kind-"]').all()) await box.uncheck();
    await page.getByTestId('fence-save').click();
    await page.getByText('Tick at least one kind to watch').waitFor();
    await page.getByTestId('fence-kind-taxi').check();
    await page.getByTestId('fence-save').click();
    await page.getByTestId('fence-draw').waitFor();
    const fences = (await (await dispatcher.fetch('/api/geofences')).json()) as { name: string; kinds: string[]; shape: { coordinates: number[][][] } }[];
    expect(fences.map((f) => [f.name, f.kinds, f.shape.coordinates[0]!.length])).toEqual([['School zone', ['taxi'], 5]]);

    // A warning: its own hint, a severity chosen, and it stays on the map with its delivery.
    await page.getByTestId('warning-draw').click();
    expect(await page.getByTestId('drawing-hint').innerText()).toMatch(/^Click the corners of the warned area/);
    await clickCorners();
    await page.getByTestId('warning-severity').selectOption('3');
    await page.locator('textarea.note').fill('Gas leak: keep away');
    await page.getByTestId('warning-send').click();
    await page.getByTestId('warning-draw').waitFor();
    const [warning] = (await (await dispatcher.fetch('/api/warnings')).json()) as { id: number; message: string; severity: number; issuedBy: string; districts: unknown[] }[];
    expect(warning).toMatchObject({ message: 'Gas leak: keep away', severity: 3, issuedBy: 'dispatcher' });
    expect(warning!.districts.length).toBeGreaterThan(0);
    await page.getByTestId(`issued-warning-${warning!.id}`).getByText('taken by the SMS gateway').waitFor({ timeout: 10_000 });
    const warningAreas = await page.evaluate(() => (window as unknown as DeckWindow).onescreen.overlay._props.layers.find((layer) => layer.id === 'warnings')!.props.data.length);
    expect(warningAreas).toBe(1);
    await page.screenshot({ path: join(artifacts, 'dispatch-warning-issued.png') });
    expect(problems).toEqual([]);
  });

  it('enters a case from a phone call by typing a crossing’s name, in Chinese, sends a unit to it, and merges a repeat call into it', async () => {
    const { server, browser } = context;
    // The crossing nearest the scene, as a caller names it: its two roads.
    const ends = karamay.roadSegments.flatMap((s) => [{ node: s.fromNode, roadId: s.roadId, at: s.line[0]! }, { node: s.toNode, roadId: s.roadId, at: s.line.at(-1)! }]);
    const crossings = ends.filter((a) => ends.some((b) => b.node === a.node && b.roadId !== a.roadId));
    const crossing = crossings.reduce((best, c) => (Math.hypot(c.at[0] - scene[0], c.at[1] - scene[1]) < Math.hypot(best.at[0] - scene[0], best.at[1] - scene[1]) ? c : best));
    const other = ends.find((b) => b.node === crossing.node && b.roadId !== crossing.roadId)!;
    const [roadA, roadB] = [crossing.roadId, other.roadId].map((id) => karamay.roads.find((road) => road.id === id)!);
    const startS = Math.floor(Date.now() / 1000) - 60;
    for (const inspector of inspectors) expect((await osmandFix(server.osmandUrl, inspector.id, inspector.point, startS)).status).toBe(200);
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'dispatcher');
    await page.goto(new URL('/dispatch?lang=zh-CN', server.url).href);
    await page.getByTestId('new-case').waitFor({ timeout: 30_000 });

    const enterCall = async (phone: string, description: string) => {
      await page.getByTestId('new-case').click();
      await page.getByTestId('call-phone').fill(phone);
      await page.getByTestId('call-line').selectOption('12345');
      await page.getByTestId('call-category').locator('option[value="garbage"]').waitFor({ state: 'attached' });
      await page.getByTestId('call-category').selectOption('garbage');
      await page.getByTestId('call-where').fill(`${roadA!.nameZh}与${roadB!.nameZh}`);
      const hit = page.getByTestId('call-places').getByRole('button').first();
      await hit.waitFor();
      expect(await hit.innerText()).toContain('交叉口');
      await hit.click();
      expect(await page.getByTestId('call-at').innerText()).toMatch(/^地点：.+交叉口$/);
      await page.getByTestId('call-description').fill(description);
      await page.getByTestId('call-register').click();
    };
    // Nothing is sent until the form says what is missing, in words.
    await page.getByTestId('new-case').click();
    await page.getByTestId('call-register').click();
    expect(await page.getByTestId('call-message').innerText()).toBe('还需要填写：来电号码、事件类别、事发地点');
    await page.getByText('取消').click();

    await enterCall('13912345678', '垃圾桶满溢，气味很大');
    await page.getByTestId('case-status').getByText('已登记').waitFor({ timeout: 10_000 });
    const dispatcher = await server.as('dispatcher');
    const [opened] = ((await (await dispatcher.fetch('/api/incidents')).json()) as { id: number; source: string; lon: number; lat: number }[]).filter((i) => i.source === 'call');
    expect([opened!.lon, opened!.lat]).toEqual([expect.closeTo(crossing.at[0], 9), expect.closeTo(crossing.at[1], 9)]);
    expect(await page.locator('.case-call').innerText()).toBe('☎ 13912345678 · 12345 · dispatcher');
    await page.getByTestId('case-fleet').waitFor();
    const fleet = await page.evaluate(() => (window as unknown as DeckWindow).onescreen.overlay._props.layers.find((layer) => layer.id === 'fleet')!.props.data.length);
    expect(fleet, 'the whole fleet of inspectors, not only the five to send').toBe(karamay.entities.filter((e) => e.kind === 'inspector').length);

    const candidates = page.locator('[data-testid^="candidate-"]');
    await candidates.first().waitFor({ timeout: 10_000 });
    const first = (await candidates.first().getAttribute('data-testid'))!.replace('candidate-', '');
    await page.getByTestId(`send-${first}`).click();
    await page.getByTestId(`assignment-${first}`).getByText('途中').waitFor({ timeout: 10_000 });
    // A note typed over more than one refresh of the fleet (every 5 s) keeps every keystroke.
    const note = '已通知环卫班组前往处理，预计二十分钟内清运完毕并回访来电人';
    await page.locator('.note').pressSequentially(note, { delay: 200 });
    expect(await page.locator('.note').inputValue()).toBe(note);
    await page.screenshot({ path: join(artifacts, 'dispatch-call-intake-zh.png') });

    // The same bins called in again: proposed as a repeat, merged with one click.
    await enterCall('13700001111', '路口垃圾没人清理');
    await page.getByText(`可能与案件 #${opened!.id} 重复`).waitFor({ timeout: 10_000 });
    await page.getByTestId('nearby').click();
    await page.getByTestId('nearby-list').waitFor();
    expect(await page.locator('.dispatch-case').innerText()).toContain(`#${opened!.id}`);
    await page.getByTestId('merge').click();
    await page.locator('.case-title').getByText(`#${opened!.id}`).waitFor({ timeout: 10_000 });
    await page.getByTestId('case-status').getByText('已派遣').waitFor();
    const calls = ((await (await dispatcher.fetch('/api/incidents?status=all')).json()) as { id: number; source: string; status: string; duplicateOf: number | null }[]).filter((i) => i.source === 'call');
    expect(calls.map((i) => [i.status, i.duplicateOf]).sort()).toEqual([['cancelled', opened!.id], ['dispatched', null]]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('folds a taxi idling at a fence into one alert per crossing that counts its repeats, and clears the fence’s flood in one click', async () => {
    const { server, browser } = context;
    const dispatcher = await server.as('dispatcher');
    const [fence] = (await (await dispatcher.fetch('/api/geofences')).json()) as { id: number; shape: { coordinates: [number, number][][] } }[];
    const ring = fence!.shape.coordinates[0]!;
    const inside: [number, number] = [ring.reduce((sum, [lon]) => sum + lon, 0) / ring.length, ring.reduce((sum, [, lat]) => sum + lat, 0) / ring.length];
    const outside: [number, number] = [Math.max(...ring.map(([lon]) => lon)) + 0.01, inside[1]];
    const [taxi] = nearestOfKind(karamay, 'taxi', inside, 1);
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'dispatcher');
    await page.goto(new URL('/dispatch?lang=en', server.url).href);
    await page.getByText('Geofence alerts').waitFor({ timeout: 30_000 });
    // Out, in, out, … a minute apart by their timestamps (as a slow taxi would), each in its own tick.
    const startS = Math.floor(Date.now() / 1000) - 15 * 60;
    for (let i = 0; i < 11; i++) {
      expect((await osmandFix(server.osmandUrl, taxi!.id, i % 2 === 0 ? outside : inside, startS + i * 60)).status).toBe(200);
      await expect.poll(async () => ((await (await dispatcher.fetch(`/api/entities?kind=taxi`)).json()) as { id: string; updatedAt: string }[]).find((e) => e.id === taxi!.id)!.updatedAt, { timeout: 5_000 }).toBe(new Date((startS + i * 60) * 1000).toISOString());
    }
    // Five times in, and five (six, if it was inside when the fence was drawn) times out: one alert each.
    const exits = booleanPointInPolygon(taxi!.point, { type: 'Polygon', coordinates: [ring] }) ? 6 : 5;
    await page.getByText('Entered · School zone · repeated 4×').waitFor({ timeout: 10_000 });
    await page.getByText(`Left · School zone · repeated ${exits - 1}×`).waitFor();
    expect(await page.locator('[data-testid^="fence-alert-"]').count()).toBe(2);
    await page.screenshot({ path: join(artifacts, 'dispatch-fence-alerts-folded.png') });
    await page.getByTestId(`fence-clear-all-${fence!.id}`).click();
    await page.getByText('Geofence alerts 0').waitFor();
    expect(((await (await dispatcher.fetch('/api/geofence-alerts')).json()) as unknown[]).length).toBe(0);
    const admin = await server.as('admin');
    const [audited] = (await (await admin.fetch('/api/audit?action=geofence-alerts-cleared')).json()) as { actor: string; after: { geofenceId: number; count: number } }[];
    expect(audited).toMatchObject({ actor: 'dispatcher', after: { geofenceId: fence!.id, count: 2 } });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tells an official, in Chinese, what this console is for and where to go instead, and offers nothing the server would refuse', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'official');
    const refused: string[] = [];
    page.on('response', (response) => response.status() === 403 && refused.push(response.url()));
    await page.goto(new URL('/dispatch?lang=zh-CN', server.url).href);
    const notice = page.getByTestId('role-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.innerText()).toMatch(/^您以领导身份登录：可在此查看案件队列和力量分布，不能派遣/);
    expect(await notice.locator('a').evaluateAll((links) => links.map((link) => (link as HTMLAnchorElement).getAttribute('href')))).toEqual(['/posture?lang=zh-CN', '/wall?lang=zh-CN']);
    await page.getByText('待办案件').first().waitFor();
    expect(await page.locator('[data-testid="fence-draw"]').count(), 'no drawing tools for a role that may not draw').toBe(0);
    expect(await page.locator('.fence-tools').isHidden()).toBe(true);
    expect(await page.locator('.banner').isHidden(), 'no raw server error').toBe(true);
    await page.screenshot({ path: join(artifacts, 'dispatch-official-zh.png') });
    expect(refused).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
