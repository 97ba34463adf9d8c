import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveAssignment } from '../streams/index.ts';
import { driveAlong, nearestOfKind, osmandFix } from '../server/test-server.ts';
import { artifacts, openSignedInPage, wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const scene = karamay.busStops[12]!.point;
// Three inspectors near the scene report in; with the simulators off, they are the only units on duty.
const inspectors = nearestOfKind(karamay, 'inspector', scene, 3);

describe.skipIf(!chromiumPath && !process.env.CI)('the dispatcher’s console', () => {
  const context = wallTestContext(chromiumPath, { SIMULATE: '0', TICK_MS: '200' });

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
    for (const status of await driveAlong(server.osmandUrl, ranked[0]!, assignment!.route)) expect(status).toBe(200);
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

    // A geofence and an emergency warning, each drawn by clicking the map's corners.
    const map = (await page.locator('.dispatch-map').boundingBox())!;
    const clickCorners = async () => {
      for (const [dx, dy] of [[-80, -60], [90, -60], [90, 70], [-80, 70]]) await page.mouse.click(map.x + map.width / 2 + dx!, map.y + map.height / 2 + dy!);
    };
    await page.getByTestId('fence-draw').click();
    await clickCorners();
    await page.getByText('(4)').waitFor();
    await page.getByPlaceholder('Fence name').fill('School zone');
    await page.getByTestId('fence-save').click();
    await page.getByTestId('fence-draw').waitFor();
    const fences = (await (await dispatcher.fetch('/api/geofences')).json()) as { name: string; kinds: string[]; shape: { coordinates: number[][][] } }[];
    expect(fences.map((f) => [f.name, f.kinds, f.shape.coordinates[0]!.length])).toEqual([['School zone', ['truck'], 5]]);
    await page.getByTestId('warning-draw').click();
    await clickCorners();
    await page.locator('textarea.note').fill('Gas leak: keep away');
    await page.getByTestId('warning-send').click();
    await page.getByTestId('warning-draw').waitFor();
    const [warning] = (await (await dispatcher.fetch('/api/warnings')).json()) as { message: string; issuedBy: string; districts: unknown[] }[];
    expect(warning).toMatchObject({ message: 'Gas leak: keep away', issuedBy: 'dispatcher' });
    expect(warning!.districts.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
