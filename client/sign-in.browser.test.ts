import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { artifacts, wallTestContext, type OnescreenWindow } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');

describe.skipIf(!chromiumPath && !process.env.CI)('signing in to the wall', () => {
  const wall = wallTestContext(chromiumPath, { SIMULATE: '0' });

  it('sends a signed-out wall to the sign-in page, signs in by the form, shows an official no police, and signs out', async () => {
    const page = await wall.browser.newPage({ viewport: { width: 1920, height: 1080 } });
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
});
