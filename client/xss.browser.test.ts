// Hostile text everywhere the public or an admin can put it: 200+ script-injection payloads in
// citizens' reports, camera events, unit names and a user's display name. The wall shows every
// one of them as text; none runs (dialogs and console are watched, and the DOM is checked).
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { fileReport } from '../server/test-server.ts';
import { artifacts, openWall, wallTestContext, type OnescreenWindow } from './test-wall.ts';

const chromiumPath = inject('chromiumPath');
const karamay = generateCity(cityProfiles.karamay);

const scripts = ['alert(1)', 'confirm(1)', 'prompt(1)', "console.log('xss-ran')", 'alert`1`', "eval(atob('YWxlcnQoMSk='))", 'top["al"+"ert"](1)', '(alert)(1)', 'window.onerror=alert;throw 1'];
const vectors = [
  (js: string) => `<img src=x onerror=${js}>`,
  (js: string) => `<svg onload=${js}>`,
  (js: string) => `<script>${js}</script>`,
  (js: string) => `"><script>${js}</script>`,
  (js: string) => `'><img src=x onerror="${js}">`,
  (js: string) => `<iframe srcdoc="<script>${js}</script>"></iframe>`,
  (js: string) => `<body onload=${js}>`,
  (js: string) => `<details open ontoggle=${js}>`,
  (js: string) => `<a href="javascript:${js}">点击</a>`,
  (js: string) => `<input autofocus onfocus=${js}>`,
  (js: string) => `<video><source onerror=${js}></video>`,
  (js: string) => `<math><mtext><table><mglyph><style><img src=x onerror=${js}>`,
  (js: string) => `</textarea><script>${js}</script>`,
  (js: string) => `<object data="javascript:${js}"></object>`,
  (js: string) => `<embed src="javascript:${js}">`,
  (js: string) => `<marquee onstart=${js}>`,
  (js: string) => `<IMG SRC=x OnErRoR=${js}>`,
  (js: string) => `&lt;img src=x onerror=${js}&gt;`,
  (js: string) => `<img src=x onerror=&#x61;&#x6c;&#x65;&#x72;&#x74;(1)>${js.slice(0, 0)}`,
  (js: string) => `{{constructor.constructor('${js.replaceAll("'", '"')}')()}}`,
  (js: string) => `<style>*{background:url("javascript:${js}")}</style>`,
  (js: string) => `<div style="width:expression(${js})">`,
  (js: string) => `<base href="javascript:${js}//">`,
  (js: string) => `<form><button formaction=javascript:${js}>x</button></form>`,
  (js: string) => `\u202e<img src=x onerror=${js}>`,
];
const payloads = vectors.flatMap((vector) => scripts.map((js) => vector(js)));

describe.skipIf(!chromiumPath && !process.env.CI)('hostile text on the wall', () => {
  const wall = wallTestContext(chromiumPath);

  it(`shows ${payloads.length} injection payloads as text, in reports, camera events, unit names and a user name, and runs none`, async () => {
    expect(payloads.length).toBeGreaterThanOrEqual(200);
    const { server } = wall;
    // Reports across the city, one payload each.
    const stops = karamay.busStops;
    for (const [i, payload] of payloads.entries()) {
      const at = stops[(i * 7) % stops.length]!.point;
      await fileReport(server, { service_code: 'garbage', lat: String(at[1]), long: String(at[0]), description: payload });
    }
    const events = karamay.cameras.slice(0, 40).map((camera, i) => ({ cameraId: camera.id, type: 'stopped-vehicle', severity: 2, description: payloads[i * 5]! }));
    expect((await server.feed('/ingest/cameras', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ events }) })).status).toBe(200);
    // Unit names, as a registry might hold them, and the name an admin gave a user.
    const taxis = karamay.entities.filter((entity) => entity.kind === 'taxi').slice(0, 10);
    for (const [i, taxi] of taxis.entries()) await server.db.query('UPDATE entities SET label = $2 WHERE id = $1', [taxi.id, payloads[i * 20]!]);
    const named = await (await server.as('admin')).fetch('/api/users/operator', { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ displayName: '<img src=x onerror=alert(1)>' }) });
    expect(named.status).toBe(200);

    // openWall records any dialog (the wall never opens one) from the first moment of the page.
    const { page, problems } = await openWall(wall.browser, server.url, '?lang=zh-CN', { width: 1920, height: 1080 });
    const ran: string[] = [];
    page.on('console', (message) => message.text().includes('xss-ran') && ran.push(`console: ${message.text()}`));
    expect(await page.textContent('.user-name')).toBe('<img src=x onerror=alert(1)>');

    // Every report and camera event, shown in the details panel as a click shows it.
    await page.waitForFunction((count) => (window as unknown as OnescreenWindow).onescreen.alerts.items().length >= count, payloads.length + events.length, { timeout: 30_000 });
    const shown = await page.evaluate(() => {
      const { alerts, showAlert } = (window as unknown as OnescreenWindow).onescreen;
      const details = document.querySelector('[data-testid="details"]')!;
      return alerts.items().map((alert) => {
        showAlert(alert.id);
        // Only the panel's own title and lines: no element came in with the text.
        const elements = [...details.querySelectorAll('*')].map((node) => node.tagName);
        return { description: alert.description, text: details.querySelector('p')?.textContent, elements: [...new Set(elements)].sort().join() };
      });
    });
    expect(shown.length).toBe(payloads.length + events.length);
    for (const { description, text, elements } of shown) {
      expect(text, 'the description, as text').toBe(description);
      expect(elements).toBe('H2,P');
    }
    await page.screenshot({ path: join(artifacts, 'wall-hostile-text.png') });

    // Unit names in the search results.
    await page.keyboard.press('/');
    await page.keyboard.type('taxi-000');
    await page.waitForSelector('[data-testid="search-results"] .search-hit');
    const hits = await page.$$eval('[data-testid="search-results"] .search-hit', (items) => items.map((item) => ({ text: item.textContent, elements: item.querySelectorAll('img, svg, script, iframe, a, input, video').length })));
    expect(hits.length).toBeGreaterThan(5);
    expect(hits.filter((hit) => hit.text!.includes('<'))).not.toHaveLength(0);
    expect(hits.every((hit) => hit.elements === 0)).toBe(true);

    // The sign-in page's way back goes to this server only.
    await page.goto(new URL(`/login?next=${encodeURIComponent("javascript:alert('next')")}`, server.url).href);
    await page.waitForURL(/\/wall$/);

    await page.waitForTimeout(1_000);
    expect(ran).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });
});
