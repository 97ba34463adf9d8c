import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { artifacts, newTestPage, wallTestContext, type OnescreenWindow } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath && !process.env.CI)('signing in to the wall', () => {
  const wall = wallTestContext(chromiumPath);

  it('sends a signed-out wall to the sign-in page, signs in by the form, shows an official no police, and signs out', async () => {
    const page = await newTestPage(wall.browser, { width: 1920, height: 1080 });
    const blocked: string[] = [];
    page.on('console', (message) => message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text()) && blocked.push(message.text()));
    page.on('pageerror', (error) => blocked.push(error.message));
    await page.goto(new URL('/wall?lang=zh-CN&tour=off', wall.server.url).href);
    await page.waitForURL(/\/login\?/);
    expect(new URL(page.url()).searchParams.get('next')).toBe('/wall?lang=zh-CN&tour=off');
    await page.waitForSelector('[data-testid="sign-in-demo"]:not([hidden])');
    expect(await page.textContent('[data-testid="sign-in-demo"]')).toBe('演示模式：可用 operator, dispatcher, official, admin 登录，密码均为 onescreen-demo');

    await page.fill('[data-testid="sign-in-user"]', 'official');
    await page.fill('[data-testid="sign-in-password"]', 'not the password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="sign-in-problem"]:not([hidden])');
    expect(await page.textContent('[data-testid="sign-in-problem"]')).toBe('用户名或密码不正确，或账号已停用。请检查后重试，或联系管理员。');
    await page.screenshot({ path: join(artifacts, 'sign-in-wrong-password.png') });

    await page.fill('[data-testid="sign-in-password"]', 'onescreen-demo');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/wall\?lang=zh-CN&tour=off$/);
    await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen?.table.size > 0, undefined, { timeout: 30_000 });
    expect(await page.textContent('.user-name')).toBe('领导 Official');
    // An official without the grant gets no police unit at all, not hidden ones.
    const kinds = await page.evaluate(() => {
      const { table } = (window as unknown as OnescreenWindow).onescreen;
      return [...new Set(table.ids.map((id) => id.split('-')[0]))].sort();
    });
    expect(kinds).toEqual(['bus', 'insp', 'taxi']);
    expect(await page.isHidden('[data-testid="layer-police-car"]')).toBe(true);
    await page.screenshot({ path: join(artifacts, 'wall-official-1920x1080.png') });

    await page.click('[data-testid="sign-out"]');
    await page.waitForURL(/\/login$/);
    await page.goto(new URL('/wall', wall.server.url).href);
    await page.waitForURL(/\/login\?next=%2Fwall$/);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('sends the password only in a POST body, never in an address, when Enter comes before the session check answers', async () => {
    const page = await newTestPage(wall.browser, { width: 1920, height: 1080 });
    const secret = 'onescreen-demo';
    const requests: { method: string; url: string; body: string | null }[] = [];
    page.on('request', (request) => void requests.push({ method: request.method(), url: request.url(), body: request.postData() }));
    // The session check hangs until the test lets it go: a slow server, as on a busy first start.
    let releaseSessionCheck = () => {};
    const held = new Promise<void>((resolve) => (releaseSessionCheck = resolve));
    let checkSeen = false;
    await page.route('**/api/session', async (route) => {
      if (route.request().method() !== 'GET' || checkSeen) return route.continue();
      checkSeen = true;
      await held;
      // The page has gone on by now; its request with it.
      await route.continue().catch(() => undefined);
    });
    await page.goto(new URL('/login?next=%2Fwall%3Ftour%3Doff&lang=zh-CN', wall.server.url).href);
    await expect.poll(() => checkSeen).toBe(true);
    await page.fill('[data-testid="sign-in-user"]', 'operator');
    await page.fill('[data-testid="sign-in-password"]', secret);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/wall\?tour=off$/);
    releaseSessionCheck();

    const inAddress = requests.filter((request) => request.url.includes(secret));
    expect(inAddress, 'no address carries the password').toEqual([]);
    const carriers = requests.filter((request) => request.body?.includes(secret));
    expect(carriers.map((request) => `${request.method} ${new URL(request.url).pathname}`)).toEqual(['POST /api/session']);
    expect(wall.server.logLines.join('\n')).not.toContain(secret);
    await page.close();
  });

  it('sends a page asked for with a password in its address on without it', async () => {
    const response = await fetch(new URL('/login?user=operator&password=hunter2-secret&next=%2Fwall', wall.server.url), { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/login?user=operator&next=%2Fwall');
    expect(response.headers.get('content-security-policy')).toContain("form-action 'none'");
    expect(wall.server.logLines.join('\n')).not.toContain('hunter2');
  });
});
