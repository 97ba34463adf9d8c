// The wall says what is true: a slow server is not an unreachable one, old alerts are not news,
// and no panel hides the city.
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { artifacts, openSignedInPage, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);

type WallWindow = OnescreenWindow & {
  onescreen: { store: { getState(): { snapshotAt: number | null; problem: { kind: string } | null }; subscribe(listener: () => void): () => void }; tour?: { current: { kind: string; alert?: { id: string } } } };
  stopsSeen?: string[];
};

describe.skipIf(!chromiumPath && !process.env.CI)('the wall tells the truth', () => {
  const wall = wallTestContext(chromiumPath);
  const issueWarning = async (message: string, stop: number) => {
    const dispatcher = await wall.server.as('dispatcher');
    const response = await dispatcher.fetch('/api/warnings', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ message, center: karamay.busStops[stop]!.point, radiusM: 800 }) });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  };

  it('says the server is slow while no live data comes, retries by itself, and clears the notice once data flows', async () => {
    const { page, problems } = await openSignedInPage(wall.browser, wall.server.url, { width: 1920, height: 1080 });
    // Between the page and the server: the first subscription is never answered, and nothing the
    // server sends gets through until the wall asks again (a server too busy to answer in time).
    let subscribes = 0;
    await page.routeWebSocket(/\/socket\.io\//, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((message) => {
        if (typeof message === 'string' && /^42\d+\["subscribe"/.test(message)) subscribes += 1;
        server.send(message);
      });
      // Engine.IO's pings and Socket.IO's connect pass: the connection is up, only its events and
      // acknowledgements (packets 2, 3, 5, 6, and binary attachments) are late.
      server.onMessage((message) => (subscribes >= 2 || (typeof message === 'string' && !/^4[2356]/.test(message)) ? socket.send(message) : undefined));
    });
    await page.goto(new URL('/wall?tour=off&lang=zh-CN', wall.server.url).href);
    await page.waitForSelector('[data-testid="banner"][data-problem="slow-server"]', { timeout: 30_000 });
    expect(await page.textContent('[data-testid="banner"]')).toContain('服务器响应缓慢');
    expect(subscribes).toBe(1);
    // Asked again, answered: positions arrive, the alerts are read, and the notice goes by itself.
    await page.waitForFunction(() => (window as unknown as WallWindow).onescreen.store.getState().snapshotAt !== null, undefined, { timeout: 30_000 });
    await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen.table.size > 0);
    expect(subscribes).toBe(2);
    expect(await page.isHidden('[data-testid="banner"]')).toBe(true);
    expect(await page.getAttribute('[data-testid="connection"]', 'data-state')).toBe('live');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tours to an alert that arrives while it runs, never to one that was open before the page loaded', async () => {
    const old = await issueWarning('旧预警：两分钟前已发布', 3);
    const { page, problems } = await openSignedInPage(wall.browser, wall.server.url, { width: 1920, height: 1080 });
    // A busy server: the alerts the wall reads at start come after the tour has begun.
    let releaseSnapshot = () => {};
    const held = new Promise<void>((resolve) => (releaseSnapshot = resolve));
    await page.route('**/api/warnings', async (route) => (await held, route.continue()));
    await page.goto(new URL('/wall?tour=60&lang=zh-CN', wall.server.url).href);
    await page.waitForFunction(() => (window as unknown as WallWindow).onescreen?.tour !== undefined);
    await recordTourStops(page);
    // The delay is the fault injected, as long as a tour tick or so: then the snapshot comes.
    await page.waitForFunction(() => (window as unknown as WallWindow).onescreen.table.size > 0);
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 1_500)));
    releaseSnapshot();
    await page.waitForFunction(() => (window as unknown as WallWindow).onescreen.store.getState().snapshotAt !== null);
    expect(await page.evaluate(() => (window as unknown as WallWindow).onescreen.alerts.items().map((alert) => alert.id))).toContain(`warning-${old}`);

    const fresh = await issueWarning('新预警：暴雨红色预警', 9);
    await page.waitForFunction((id) => (window as unknown as WallWindow).stopsSeen!.includes(id), `warning-${fresh}`, { timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as WallWindow).stopsSeen)).toEqual([`warning-${fresh}`]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('frames the whole city clear of the legend, the title bar and the search box at 1920×1080', async () => {
    const { page, problems } = await openWall(wall.browser, wall.server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen.map.loaded());
    await page.waitForFunction(() => !(window as unknown as OnescreenWindow).onescreen.map.isMoving());
    const { city, panels } = await page.evaluate(async () => {
      const { bbox } = (await (await fetch('/api/city')).json()) as { bbox: [number, number, number, number] };
      const { map } = (window as unknown as OnescreenWindow).onescreen;
      const corners = [map.project([bbox[0], bbox[1]]), map.project([bbox[2], bbox[3]])];
      const rect = (selector: string) => {
        const box = document.querySelector(selector)!.getBoundingClientRect();
        return { name: selector, left: box.left, top: box.top, right: box.right, bottom: box.bottom };
      };
      return {
        city: { left: corners[0]!.x, bottom: corners[0]!.y, right: corners[1]!.x, top: corners[1]!.y },
        panels: [rect('.legend'), rect('.title-bar'), rect('.search')],
      };
    });
    const overlapping = panels.filter((panel) => panel.left < city.right && panel.right > city.left && panel.top < city.bottom && panel.bottom > city.top);
    expect(overlapping.map((panel) => panel.name), `city on screen ${JSON.stringify(city)}`).toEqual([]);
    // Still the whole city, not a corner of it: it spans most of the screen's free height.
    expect(city.bottom - city.top).toBeGreaterThan(0.6 * 1080);
    await page.screenshot({ path: join(artifacts, 'wall-framed-1920x1080.png') });
    expect(problems).toEqual([]);
    await page.close();
  });
});

/** Records, in the page, the id of every alert the tour takes the wall for. */
async function recordTourStops(page: Page): Promise<void> {
  await page.evaluate(() => {
    const wall = window as unknown as WallWindow;
    wall.stopsSeen = [];
    wall.onescreen.store.subscribe(() => {
      const id = wall.onescreen.tour!.current.alert?.id;
      if (id && wall.stopsSeen!.at(-1) !== id) wall.stopsSeen!.push(id);
    });
  });
}
