// Helpers for the browser tests: the client as built now, Debian's Chromium, and the wall opened
// with every page error and every request outside the app's own origin recorded.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { demoPassword, startTestServer, type TestServer } from '../server/test-server.ts';
import { clientDirVariable } from './test-build.ts';

/** Where browser tests save their screenshots. */
export const artifacts = join(process.cwd(), 'test-artifacts');

/**
 * For a describe block: a server serving the client the test run built (see
 * vitest.global-setup.ts) with `env` (and `simulators` beside it, to see the city move), and
 * Chromium; all closed after. A missing Chromium fails
 * here (CI requires it).
 *
 * The server's database is PostgreSQL when DATABASE_URL is set, else the embedded one; with
 * `database: 'embedded'` always the embedded one, as `npm start` runs. The database layer is
 * tested on both back ends by the node files; here the embedded one, running in the test's own
 * process, slowed every page it served (measured: npm test 289 s with every browser file on it,
 * 230 s on PostgreSQL).
 */
export function wallTestContext(chromiumPath: string, env: NodeJS.ProcessEnv = {}, database: 'embedded' | 'any' = 'any', simulators?: () => Promise<Simulators>): { server: TestServer; browser: Browser } {
  const context = {} as { server: TestServer; browser: Browser };
  let simulated: Simulators | undefined;
  beforeAll(async () => {
    if (!chromiumPath) throw new Error('Chromium is required when CI=true: apt-get install -y chromium');
    const clientDir = process.env[clientDirVariable];
    if (!clientDir) throw new Error(`no client was built for this run (${clientDirVariable} is not set): run the browser tests through vitest, whose global setup builds it`);
    const backends = testBackends();
    simulated = await simulators?.();
    context.server = await startTestServer(database === 'embedded' ? backends[0]! : backends.at(-1)!, { CLIENT_DIR: clientDir, ...simulated?.env, ...env });
    await simulated?.start(context.server);
    context.browser = await launchChromium(chromiumPath);
    mkdirSync(artifacts, { recursive: true });
  });
  afterAll(async () => {
    await context.browser?.close();
    await simulated?.stop();
    await context.server?.close();
  });
  return context;
}

/** The city's simulators beside the test server (fixtures/test-simulators.ts): the env the server starts with, then started against it. */
export interface Simulators {
  env: NodeJS.ProcessEnv;
  start(server: TestServer): Promise<void>;
  stop(): Promise<void>;
}

export interface OnescreenWindow {
  onescreen: {
    table: { size: number; ids: string[]; kinds: Uint8Array; positions: Float64Array; shown: Float64Array; version: number };
    map: {
      loaded(): boolean;
      isSourceLoaded(source: string): boolean;
      getCenter(): { lng: number; lat: number };
      getZoom(): number;
      isMoving(): boolean;
      querySourceFeatures(source: string, options?: { sourceLayer?: string }): unknown[];
      project(lngLat: [number, number]): { x: number; y: number };
      getFeatureState(feature: { source: string; sourceLayer?: string; id: string }): Record<string, unknown>;
      getLayoutProperty(layer: string, name: string): unknown;
      getCanvas(): HTMLCanvasElement;
      getContainer(): HTMLElement;
    };
    overlay: {
      pickObject(options: { x: number; y: number; radius?: number; layerIds?: string[] }): { index: number; object?: unknown; layer?: { id: string } } | null;
      pickObjects(options: { x: number; y: number; width: number; height: number; layerIds?: string[] }): { index: number; object?: unknown }[];
    };
    socket: { connect(): void; disconnect(): void };
    alerts: { items(): { id: string; lon: number; lat: number; title: string; severity: number; description: string; state?: string }[] };
    showAlert(id: string): void;
  };
}

// Flags as on the development machines: no background calls to the outside world.
export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
}

/** A page's size in CSS pixels; unless the test is about the screen itself, drawn with half as many pixels each way. */
export interface TestViewport {
  width: number;
  height: number;
  /** 1 draws every pixel of a real screen; the default 0.5 draws a quarter of them (see newTestPage). */
  deviceScaleFactor?: number;
}

/**
 * Pages as a wall PC without a GPU would have them: asking for reduced motion, so the wall draws
 * when data changes rather than 15 times a second in software WebGL (`?motion=on` animates anyway).
 * The layout is the screen's, in CSS pixels, but the canvases hold half as many pixels each way:
 * software WebGL's cost is per pixel (an idle 1920×1080 wall, measured: 47 % of a core at a device
 * pixel ratio of 1, 27 % at 0.5). The 4K and 8K checks of the long tier draw every pixel.
 */
export function newTestPage(browser: Browser, { width, height, deviceScaleFactor = 0.5 }: TestViewport) {
  return browser.newPage({ viewport: { width, height }, deviceScaleFactor, reducedMotion: 'reduce' });
}

/**
 * A page signed in as `user` (through the API, so the cookie lands in the page's own jar) that
 * records page errors, dialogs, CSP refusals and requests outside the app's own origin in `problems`.
 */
export async function openSignedInPage(browser: Browser, serverUrl: string, viewport: TestViewport, user = 'operator') {
  const page = await newTestPage(browser, viewport);
  const problems: string[] = [];
  const origin = new URL(serverUrl).origin;
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // The client never opens a dialog: one is injected script running.
  page.on('dialog', (dialog) => (problems.push(`dialog: ${dialog.message()}`), void dialog.dismiss()));
  // The Content-Security-Policy must not get in the client's own way.
  page.on('console', (message) => message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text()) && problems.push(`blocked: ${message.text()}`));
  const signedIn = await page.request.post(new URL('/api/session', serverUrl).href, { data: { user, password: demoPassword } });
  if (!signedIn.ok()) throw new Error(`signing in as ${user} failed: ${signedIn.status()} ${await signedIn.text()}`);
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(origin) && !url.startsWith('data:') && !url.startsWith('blob:')) problems.push(`outside request: ${url}`);
  });
  return { page, problems };
}

/**
 * Opens the wall and waits for live entities, recording page errors and outside requests. The
 * wall holds still on the whole city (tour off) unless the query asks for a tour.
 */
export async function openWall(browser: Browser, serverUrl: string, query: string, viewport: TestViewport, readyTimeoutMs = 30_000, user = 'operator') {
  const { page, problems } = await openSignedInPage(browser, serverUrl, viewport, user);
  const search = new URLSearchParams(query);
  if (!search.has('tour')) search.set('tour', 'off');
  await page.goto(new URL(`/wall?${search}`, serverUrl).href);
  await page.waitForFunction(() => (window as unknown as OnescreenWindow).onescreen?.table.size > 0, undefined, { timeout: readyTimeoutMs });
  return { page, problems };
}
