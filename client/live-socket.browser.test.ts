// The one live connection every view shares: after a blip whose reconnection the server refuses
// (as it does while starting or busy, which ends Socket.IO's own retries), the dispatch console
// and the posture boards come back by themselves, re-read what they show, and follow the pushes.
import { describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { fileReport } from '../server/test-server.ts';
import { openSignedInPage, wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const scene = generateCity(cityProfiles.karamay).busStops[20]!.point;

/**
 * Between the page and the server: `drop` closes the first connection, and the server's first
 * acceptance on the next is turned into a refusal (a CONNECT_ERROR packet); everything else
 * passes. Counts the WebSocket connections.
 */
async function blipThenRefuse(page: Page) {
  let connections = 0;
  let refused = false;
  let drop = () => {};
  await page.routeWebSocket(/\/socket\.io\//, (socket) => {
    const attempt = ++connections;
    const server = socket.connectToServer();
    socket.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      if (attempt === 2 && !refused && typeof message === 'string' && message.startsWith('40')) {
        refused = true;
        return socket.send('44{"message":"the server is starting; try again shortly"}');
      }
      socket.send(message);
    });
    if (attempt === 1) drop = () => socket.close();
  });
  return { connections: () => connections, drop: () => drop() };
}

describe.skipIf(!chromiumPath && !process.env.CI)('the live connection of the console and the boards', () => {
  const context = wallTestContext(chromiumPath, { TICK_MS: '200' });

  it('brings the dispatch console back after a refused reconnection, and shows what came meanwhile', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'dispatcher');
    const { connections, drop } = await blipThenRefuse(page);
    await page.goto(new URL('/dispatch?lang=en', server.url).href);
    await page.waitForSelector('.connection[data-state="live"]', { timeout: 30_000 });
    drop();
    await page.waitForSelector('.connection[data-state="reconnecting"]', { timeout: 30_000 });
    // A case that comes while the console is away is in its queue once it is back.
    await fileReport(server, { service_code: 'garbage', lat: String(scene[1]), long: String(scene[0]), description: 'while away' });
    await page.waitForSelector('.connection[data-state="live"]', { timeout: 30_000 });
    await page.locator('[data-testid^="queue-"]').first().waitFor({ timeout: 10_000 });
    expect(connections()).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('brings the posture boards back after a refused reconnection', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'official');
    const { connections, drop } = await blipThenRefuse(page);
    await page.goto(new URL('/posture?lang=en', server.url).href);
    await page.waitForSelector('.connection[data-state="live"]', { timeout: 30_000 });
    drop();
    await page.waitForSelector('.connection[data-state="reconnecting"]', { timeout: 30_000 });
    // Refused once, Socket.IO gives up by itself; the boards' connection tries again (and the
    // server, recovering it, keeps what it watched, so the boards are pushed as before).
    await page.waitForSelector('.connection[data-state="live"]', { timeout: 30_000 });
    expect(await page.isHidden('.banner')).toBe(true);
    expect(connections()).toBeGreaterThanOrEqual(2);
    expect(problems).toEqual([]);
    await page.close();
  });
});
