// A soak: the product as `npm start` runs it (every simulated feed on), watched by a live client
// and polled like a load balancer would, for SOAK_SECONDS (45 by default; the 30-minute soak under
// load is `npm run load`'s, README "Measured"). Nothing may stall, leak, fail a write or log a warning.
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorsForTests } from '../fixtures/test-simulators.ts';
import { testBackends } from '../geo/test-support.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const soakMs = Number(process.env.SOAK_SECONDS ?? 45) * 1000;
const sampleEveryMs = 5_000;
// The deployment a city runs 24/7 when there is one: PostgreSQL if DATABASE_URL is set.
const backend = testBackends().at(-1)!;

/** Heap in use after a full collection: what the process keeps, not what it has yet to collect. */
function retainedHeapMb(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed / 1e6;
}

describe(`the product running for ${soakMs / 1000} s with every simulated feed, on the ${backend.name} database`, () => {
  let server: TestServer;
  let simulators: Awaited<ReturnType<typeof simulatorsForTests>>;
  beforeAll(async () => {
    simulators = await simulatorsForTests();
    server = await startTestServer(backend, simulators.env);
    await simulators.start(server);
  });
  afterAll(async () => {
    await simulators?.stop();
    await server?.close();
  });

  it('keeps frames coming without a gap or a stall, answers health checks, keeps its heap flat, and logs no warning', async () => {
    const live = await watchLive(server);
    let lastFrameAt = Date.now();
    let longestSilenceMs = 0;
    live.socket.on('positions', () => {
      const now = Date.now();
      longestSilenceMs = Math.max(longestSilenceMs, now - lastFrameAt);
      lastFrameAt = now;
    });
    let disconnected = '';
    live.socket.on('disconnect', (reason) => (disconnected ||= reason));
    const health: { status: number; ms: number }[] = [];
    const heapMb: number[] = [];
    let framesSeen = 0;
    try {
      for (const started = Date.now(); Date.now() - started < soakMs; ) {
        const sampleEnds = Date.now() + sampleEveryMs;
        while (Date.now() < sampleEnds) {
          const asked = performance.now();
          const response = await fetch(new URL('/healthz', server.url));
          await response.arrayBuffer();
          health.push({ status: response.status, ms: performance.now() - asked });
          await new Promise((resolve) => setTimeout(resolve, 250)); // a load balancer's health-check rate
        }
        // The client keeps only what a wall keeps: the latest row per entity.
        framesSeen += live.frames.length;
        live.frames.length = 0;
        heapMb.push(retainedHeapMb());
      }
    } finally {
      live.socket.off('disconnect');
      live.socket.close();
    }
    const ms = health.map((check) => check.ms).sort((a, b) => a - b);
    const third = Math.floor(heapMb.length / 3);
    const average = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
    const [early, late] = [average(heapMb.slice(1, 1 + third)), average(heapMb.slice(-third))];
    const metrics = await (await server.api('/metrics')).text();
    const warnings = server.logLines.filter((line) => /"level":"(warn|error)"/.test(line));
    process.stdout.write(
      `soak on ${backend.name}: ${framesSeen} frames, longest silence ${longestSilenceMs} ms; /healthz p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms, ` +
        `p99 ${ms[Math.floor(ms.length * 0.99)]!.toFixed(1)} ms over ${ms.length} checks; retained heap ${early.toFixed(0)} → ${late.toFixed(0)} MB\n`,
    );

    expect(disconnected, 'the live client stayed connected').toBe('');
    expect(framesSeen, 'a frame a second or more').toBeGreaterThan(soakMs / 1_000 / 2);
    // Ticks are a second apart: five without a frame is a stalled pipeline.
    expect(longestSilenceMs).toBeLessThan(5_000);
    expect(health.filter((check) => check.status !== 200)).toEqual([]);
    // The heap the process keeps settles once the city is loaded and every feed has sent: a leak grows it every tick.
    expect(late - early, `retained heap grew from ${early.toFixed(0)} to ${late.toFixed(0)} MB`).toBeLessThan(40);
    expect(metrics).not.toMatch(/onescreen_(write_failures|ingest_set_aside)_total(\{[^}]*\})? [1-9]/);
    expect(metrics).toMatch(/onescreen_positions_joined_total [1-9]/);
    expect(warnings).toEqual([]);
  }, soakMs + 120_000);
});
