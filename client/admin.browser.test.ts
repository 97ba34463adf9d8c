import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { osmandFix } from '../server/test-server.ts';
import { artifacts, openSignedInPage, wallTestContext } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);
const district = karamay.districts[2]!;
const at = karamay.busStops[7]!.point;

describe.skipIf(!chromiumPath && !process.env.CI)('the administrator’s console', () => {
  const context = wallTestContext(chromiumPath, { TICK_MS: '200' });

  it('adds a user, issues a key shown once, registers a tracker whose fix is then taken, imports and retires units, and reads the audit, by clicking, in Chinese then English', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'admin');
    await page.goto(new URL('/admin?lang=zh-CN', server.url).href);
    await page.getByTestId('tab-users').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-testid^="tab-"]').allInnerTexts()).toEqual(['用户', '接入密钥', '设备登记', '审计日志', '暂存数据', '数据源状态']);

    // A user, added and then given the police-positions grant.
    await page.getByTestId('users-dispatcher').waitFor();
    await page.getByTestId('user-id').fill('li.na');
    await page.getByTestId('user-name').fill('李娜');
    await page.getByTestId('user-role').selectOption('official');
    await page.getByTestId('user-password').fill('short');
    await page.getByTestId('user-add-button').click();
    await page.getByTestId('admin-banner').getByText(/^操作没有完成：a password needs at least 10 characters/).waitFor();
    await page.getByTestId('user-password').fill('correct-horse-battery');
    await page.getByTestId('user-add-button').click();
    await page.getByTestId('users-li.na').waitFor();
    await page.getByTestId('user-grant-li.na').check();
    await page.getByTestId('admin-banner').getByText('已保存。').waitFor();
    const admin = await server.as('admin');
    const users = (await (await admin.fetch('/api/users')).json()) as { id: string; role: string; grants: string[] }[];
    expect(users.find((u) => u.id === 'li.na')).toMatchObject({ role: 'official', grants: ['police-positions'] });
    await page.screenshot({ path: join(artifacts, 'admin-users-zh.png') });

    // A key for the hotline system: shown once, and it works.
    await page.getByTestId('tab-keys').click();
    await page.getByTestId('key-name').fill('12345 热线');
    await page.getByTestId('key-feed').selectOption('alarms');
    await page.getByTestId('key-issue-button').click();
    const key = await page.getByTestId('key-issued').inputValue();
    expect(key.length).toBeGreaterThan(20);
    await page.screenshot({ path: join(artifacts, 'admin-key-issued-zh.png') });
    const call = { callId: 'HL-1', callerPhone: '13800001111', category: 'noise', lon: at[0], lat: at[1] };
    const hotline = await fetch(new URL('/api/incidents', server.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: JSON.stringify(call) });
    expect(hotline.status, 'the issued key opens a case').toBe(201);
    expect(page.url(), 'the key never enters the address').not.toContain(key);

    // A tracker is refused until its unit is registered, then taken.
    const nowS = Math.floor(Date.now() / 1000);
    expect((await osmandFix(server.osmandUrl, '860000000005501', at, nowS - 30)).status).toBe(400);
    await page.getByTestId('tab-devices').click();
    await page.getByTestId('device-id').fill('860000000005501');
    await page.getByTestId('device-kind').selectOption('police-car');
    await page.getByTestId('device-label').fill('新J5501警');
    await page.getByTestId('device-agency').fill('白碱滩派出所');
    await page.getByTestId('device-district').selectOption(district.id);
    await page.getByTestId('device-register-button').click();
    await page.getByTestId('devices-860000000005501').waitFor();
    expect((await osmandFix(server.osmandUrl, '860000000005501', at, nowS - 20)).status, 'registered: its fix is taken').toBe(200);

    // A CSV with a bad line imports nothing and names the line; mended, it imports.
    const csv = (rows: string[]) => ({ name: 'units.csv', mimeType: 'text/csv', buffer: Buffer.from(['id,kind,label,agency,district', ...rows].join('\n')) });
    await page.getByTestId('device-csv').setInputFiles(csv(['insp-7001,inspector,网格员 7001,城管局,', 'insp-7002,inspector-ish,网格员 7002,城管局,']));
    await page.getByTestId('device-import-button').click();
    await page.getByTestId('device-import-problems').getByText(/^第 3 行 · kind: /).waitFor();
    expect(await page.getByTestId('admin-banner').innerText()).toBe('有 1 处问题，未导入任何设备：');
    await page.getByTestId('device-csv').setInputFiles(csv(['insp-7001,inspector,网格员 7001,城管局,', 'insp-7002,inspector,网格员 7002,城管局,']));
    await page.getByTestId('device-import-button').click();
    await page.getByTestId('admin-banner').getByText('已导入 2 台设备。').waitFor();
    await page.getByTestId('device-find').fill('7002');
    await page.getByTestId('devices-insp-7002').waitFor();
    await page.getByTestId('device-retire-insp-7002').click();
    await page.getByTestId('devices-insp-7002').waitFor({ state: 'detached' });
    await page.getByTestId('device-show-retired').check();
    await page.getByTestId('devices-insp-7002').getByText('已注销').waitFor();
    await page.getByTestId('device-show-retired').uncheck();
    await page.getByTestId('device-find').fill('');
    await page.screenshot({ path: join(artifacts, 'admin-devices-zh.png') });

    // The audit log has it all, filtered by clicking, and exports what is shown as CSV.
    await page.getByTestId('tab-audit').click();
    await page.getByTestId('audit-action').fill('device-registered');
    await page.getByTestId('audit-filter-button').click();
    await page.locator('[data-testid^="audit-"]').filter({ hasText: '860000000005501' }).first().waitFor();
    const exported = await page.getByTestId('audit-export').getAttribute('href');
    expect(exported).toBe('/api/audit.csv?limit=500&action=device-registered');
    const download = await page.request.get(new URL(exported!, server.url).href);
    expect(await download.text()).toContain('"860000000005501"');

    // The same console in English, on the tab it was on.
    await page.getByTestId('admin-language').click();
    await page.getByTestId('tab-audit').getByText('Audit log').waitFor();
    await page.getByTestId('tab-feeds').click();
    await page.getByTestId('feeds-trackers').getByText('Live').waitFor();
    await page.getByTestId('tab-devices').click();
    await page.getByTestId('devices-860000000005501').getByText('Police car').waitFor();
    await page.screenshot({ path: join(artifacts, 'admin-devices-en.png') });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('tells a dispatcher the console is for administrators, and offers nothing', async () => {
    const { server, browser } = context;
    const { page, problems } = await openSignedInPage(browser, server.url, { width: 1920, height: 1080 }, 'dispatcher');
    const refused: string[] = [];
    page.on('response', (response) => response.status() === 403 && refused.push(response.url()));
    await page.goto(new URL('/admin?lang=en', server.url).href);
    expect(await page.getByTestId('role-notice').innerText()).toMatch(/^Administration is for administrators/);
    expect(await page.locator('[data-testid^="tab-"]').count()).toBe(0);
    expect(refused).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
