import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { fileReport, osmandFix } from '../server/test-server.ts';
import { artifacts, openSignedInPage, wallTestContext, type OnescreenWindow } from './test-wall.ts';

type ReplayWindow = { onescreen: { replay: { start(at: number, speed?: number, playing?: boolean): Promise<void> } } };

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const districtOf = (point: [number, number]) => karamay.districts.find((d) => booleanPointInPolygon(point, { type: 'Polygon', coordinates: [d.ring] }))!;
// Two reports at one stop, a third at a stop in another district.
const stopA = karamay.busStops[3]!;
const districtA = districtOf(stopA.point);
const stopB = karamay.busStops.find((stop) => districtOf(stop.point).id !== districtA.id)!;
// A point well inside district A for a click: the middle of a grid cell with every corner in A.
const inA = (point: [number, number]) => booleanPointInPolygon(point, { type: 'Polygon', coordinates: [districtA.ring] });
const cellOfA = karamay.gridCells.find((cell) => cell.ring.every(inA))!;
const corners = cellOfA.ring;
const insideA: [number, number] = [(Math.min(...corners.map((p) => p[0])) + Math.max(...corners.map((p) => p[0]))) / 2, (Math.min(...corners.map((p) => p[1])) + Math.max(...corners.map((p) => p[1]))) / 2];

describe.skipIf(!chromiumPath && !process.env.CI)('the posture boards in Chromium', () => {
  const context = wallTestContext(chromiumPath, { TICK_MS: '200' });
  const report = (stop: typeof stopA, code: string) =>
    fileReport(context.server, { service_code: code, lat: String(stop.point[1]), long: String(stop.point[0]), description: 'posture' });
  const count = async (sql: string, params: unknown[] = []) => (await context.server.db.query<{ n: number }>(sql, params))[0]!.n;

  it('shows every board live for Karamay in Chinese, drills into a district and a grid cell, and exports a CSV the database agrees with', async () => {
    const { server, browser } = context;
    for (const [stop, code] of [[stopA, 'garbage'], [stopA, 'noise'], [stopB, 'garbage']] as const) await report(stop, code);
    const car = karamay.entities.find((e) => e.kind === 'police-car')!;
    expect((await osmandFix(server.osmandUrl, car.id, car.point, Math.floor(Date.now() / 1000) - 5)).status).toBe(200);

    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'official');
    await page.goto(new URL('/posture?lang=zh-CN', server.url).href);
    const tile = (id: string) => page.getByTestId(`tile-${id}`).locator('.tile-value');
    await expect.poll(() => tile('cases-opened').textContent(), { timeout: 30_000 }).toBe('3');
    for (const title of ['案件办理', '警力与覆盖', '道路交通', '公交运行', '数据接入']) await page.getByRole('heading', { name: title }).waitFor();
    expect(await page.getByTestId('trail').textContent()).toBe('全市');
    expect(await tile('police-available').textContent()).toBe(`1 / ${karamay.entities.filter((e) => e.kind === 'police-car' || e.kind === 'police-officer').length.toLocaleString('zh-CN')}`);
    for (const board of ['cases', 'units', 'traffic', 'buses', 'feeds']) expect(await page.locator(`.board-${board} .chart canvas`).count(), `the ${board} board draws a chart`).toBeGreaterThanOrEqual(1);

    // Live: a report filed while the official watches shows without a reload.
    await report(stopA, 'garbage');
    await expect.poll(() => tile('cases-opened').textContent(), { timeout: 15_000 }).toBe('4');

    // Drill into district A by clicking it on the map; the map follows.
    await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen.map.isSourceLoaded('grid-cells') && !(window as unknown as OnescreenWindow).onescreen.map.isMoving(), undefined, { timeout: 60_000 });
    const mapBox = (await page.locator('.posture-map').boundingBox())!;
    const at = await page.evaluate((point) => (window as unknown as OnescreenWindow).onescreen.map.project(point), insideA);
    await page.mouse.click(mapBox.x + at.x, mapBox.y + at.y);
    await page.getByTestId('trail').getByText(districtA.nameZh).waitFor({ timeout: 10_000 });
    const openedInA = await count(`SELECT count(*)::int AS n FROM incidents WHERE district_id = $1`, [districtA.id]);
    await expect.poll(() => tile('cases-opened').textContent(), { timeout: 15_000 }).toBe(String(openedInA));
    expect(openedInA, 'three of the four reports were filed in district A').toBe(3);
    await expect
      .poll(async () => {
        const centre = await page.evaluate(() => (window as unknown as OnescreenWindow).onescreen.map.getCenter());
        const [west, south, east, north] = [Math.min(...districtA.ring.map((p) => p[0])), Math.min(...districtA.ring.map((p) => p[1])), Math.max(...districtA.ring.map((p) => p[0])), Math.max(...districtA.ring.map((p) => p[1]))];
        return centre.lng > west && centre.lng < east && centre.lat > south && centre.lat < north;
      }, { timeout: 10_000 })
      .toBe(true);
    expect(page.url()).toContain(`district=${districtA.id}`);
    await page.screenshot({ path: join(artifacts, 'posture-district-zh.png') });

    // The CSV of the district's cases says what the database says.
    const download = page.waitForEvent('download');
    await page.getByTestId('csv-cases').click();
    const rows = readFileSync((await (await download).path())!, 'utf8').trim().split('\r\n').map((line) => line.split(','));
    const value = (figure: string, key: string) => rows.find(([f, k]) => f === `"${figure}"` && k === `"${key}"`)?.[2];
    expect(value('window', 'district')).toBe(`"${districtA.id}"`);
    expect(Number(value('cases', 'opened'))).toBe(openedInA);
    expect(Number(value('cases', 'open now'))).toBe(await count(`SELECT count(*)::int AS n FROM incidents WHERE district_id = $1 AND status NOT IN ('closed', 'cancelled')`, [districtA.id]));
    expect(Number(value('opened by category', 'garbage'))).toBe(await count(`SELECT count(*)::int AS n FROM incidents WHERE district_id = $1 AND category = 'garbage'`, [districtA.id]));

    // Down to the grid cell with most cases, from the cases board; then back to the city.
    const { cellId } = (await server.db.query<{ cellId: string }>(`SELECT cell_id AS "cellId" FROM incidents WHERE district_id = $1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`, [districtA.id]))[0]!;
    await page.getByTestId(`cell-${cellId}`).click();
    await page.getByTestId('trail').getByText(cellId).waitFor({ timeout: 10_000 });
    await expect.poll(() => tile('cases-opened').textContent(), { timeout: 15_000 }).toBe(String(await count(`SELECT count(*)::int AS n FROM incidents WHERE cell_id = $1`, [cellId])));
    // Waited on too: the cell's count can equal the district's, so the poll above may pass before the cell's boards come.
    await expect.poll(() => page.locator('.board-traffic .board-note').textContent(), { timeout: 15_000 }).toBe('（所在区）');
    await page.screenshot({ path: join(artifacts, 'posture-cell-zh.png') });
    await page.getByTestId('trail').getByText('全市').click();
    await expect.poll(() => tile('cases-opened').textContent(), { timeout: 15_000 }).toBe('4');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('speaks English, with numbers in its locale, for the range chosen', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'official');
    await page.goto(new URL('/posture?lang=en&range=24h', server.url).href);
    await page.getByRole('heading', { name: 'Force and coverage' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('range-24h').getAttribute('class')).toContain('chosen');
    const total = karamay.entities.filter((e) => e.kind === 'police-car' || e.kind === 'police-officer').length;
    await expect.poll(() => page.getByTestId('tile-police-available').locator('.tile-value').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^\\d+ / ${total.toLocaleString('en').replace(',', '\\,')}$`));
    expect(await page.getByTestId('tile-cases-opened').locator('.tile-label').textContent()).toBe('Opened');
    // A range chosen by clicking is read at once and kept in the address.
    await page.getByTestId('range-1h').click();
    await page.waitForURL(/range=1h/);
    const lastHour = await count(`SELECT count(*)::int AS n FROM incidents WHERE reported_at > now() - interval '1 hour'`);
    await expect.poll(() => page.getByTestId('tile-cases-opened').locator('.tile-value').textContent(), { timeout: 15_000 }).toBe(lastHour.toLocaleString('en'));
    await page.screenshot({ path: join(artifacts, 'posture-city-en.png') });

    // Replayed to a minute before the first report: the boards as they were then, the units' duty too.
    const firstMs = await count(`SELECT (extract(epoch FROM min(reported_at)) * 1000)::bigint AS n FROM incidents`);
    await page.getByTestId('replay-open').click();
    await page.evaluate((at) => (window as unknown as ReplayWindow).onescreen.replay.start(at, 10, false), Number(firstMs) - 60_000);
    await expect.poll(() => page.getByTestId('tile-cases-opened').locator('.tile-value').textContent(), { timeout: 15_000 }).toBe('0');
    // The one car that reports did so after then: no police unit was free.
    await expect.poll(() => page.getByTestId('tile-police-available').locator('.tile-value').textContent(), { timeout: 15_000 }).toBe(`0 / ${total.toLocaleString('en')}`);
    expect(await page.getByTestId('csv-cases').getAttribute('href')).toMatch(/[?&]at=\d{4}-\d\d-\d\dT/);
    expect(await page.getByTestId('csv-units').getAttribute('href')).toMatch(/[?&]at=\d{4}-\d\d-\d\dT/);
    await page.screenshot({ path: join(artifacts, 'posture-replay-en.png') });
    await page.getByTestId('replay-live').click();
    await expect.poll(() => page.getByTestId('tile-cases-opened').locator('.tile-value').textContent(), { timeout: 15_000 }).toBe(lastHour.toLocaleString('en'));
    await page.getByTestId('tile-police-available').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  });
});
