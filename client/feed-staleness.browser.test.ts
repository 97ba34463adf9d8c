import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { testBackends } from '../geo/index.ts';
import { startTestServer, type TestServer } from '../server/test-server.ts';
import { buildClientForTest, launchChromium, openWall } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const artifacts = join(process.cwd(), 'test-artifacts');

describe.skipIf(!chromiumPath && !process.env.CI)('feed freshness on the wall', () => {
  let server: TestServer;
  let browser: Browser;
  let client: Awaited<ReturnType<typeof buildClientForTest>>;
  beforeAll(async () => {
    if (!chromiumPath) throw new Error('Chromium is required when CI=true: apt-get install -y chromium');
    client = await buildClientForTest();
    // No simulators: the only input is what this test sends. Quiet for 8 s, a feed is stale; feed
    // status goes out every 5 s, so the badge is seen fresh for at least 3 s first.
    server = await startTestServer(testBackends()[0]!, { CLIENT_DIR: client.dir, SIMULATE: '0', FEED_STALE_AFTER_MS: '8000' });
    browser = await launchChromium(chromiumPath);
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    client?.remove();
  });

  it('shows a feed fresh while it delivers and red once it goes quiet, and one that never did as stale', async () => {
    const { page, problems } = await openWall(browser, server.url, '?lang=en', { width: 1920, height: 1080 });
    await page.waitForSelector('[data-testid="feed-buses"][data-state="stale"]');
    expect(await page.textContent('[data-testid="feed-buses"]')).toBe('Buses no data');

    const fix = await fetch(`${server.osmandUrl}?id=pc-0001&lat=45.5954&lon=84.8739&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
    expect(fix.status).toBe(200);
    await page.waitForSelector('[data-testid="feed-trackers"][data-state="fresh"]', { timeout: 10_000 });
    await page.waitForSelector('[data-testid="feed-trackers"][data-state="stale"]', { timeout: 20_000 });
    const badge = await page.$eval('[data-testid="feed-trackers"]', (el) => ({ color: getComputedStyle(el).color, title: el.getAttribute('title') }));
    expect(badge).toEqual({ color: 'rgb(255, 93, 93)', title: 'GPS feed has gone quiet: check its devices or network.' });
    await page.screenshot({ path: join(artifacts, 'wall-stale-feed.png'), clip: { x: 1200, y: 0, width: 720, height: 60 } });
    expect(problems).toEqual([]);
    await page.close();
  });
});
