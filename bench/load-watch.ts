// What the load tool watches on the server while it offers load: /healthz answer times (asked
// from a process of its own), resident memory, event-loop lag and the backlog, with a progress
// line every 10 s; and the CPU contention it can add (busy processes beside the server, as a
// shared or noisy host would have).
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { readMetrics } from '../server/test-server.ts';
import { percentile } from './timing.ts';

const watchEveryMs = 250;
const scrapeEveryMs = 1_000;
const reportEveryMs = 10_000;

export interface Watched {
  url: string;
  rssMb(): number;
}

/** Watches `server` until `stop`; `progress` adds the load side's part of each progress line. */
export function watchServer(server: Watched, say: (line: string) => void, progress: () => string) {
  const healthMs: number[] = [];
  // Each scrape's event-loop delay since the one before (the server resets it per scrape), ms.
  const lagMaxMs: number[] = [];
  const lagP99Ms: number[] = [];
  const rssBefore = server.rssMb();
  let rssMax = rssBefore;
  let backlog = 0;
  let watching = true;
  const started = Date.now();

  // Every read of /metrics goes through here, or the lag it resets would go unseen.
  const scrape = async () => {
    const metric = await readMetrics(server.url);
    lagMaxMs.push(metric('onescreen_event_loop_lag_seconds{quantile="1"}') * 1000);
    lagP99Ms.push(metric('onescreen_event_loop_lag_seconds{quantile="0.99"}') * 1000);
    backlog = metric('onescreen_ingest_backlog_events');
    return metric;
  };
  // /healthz is asked from a process of its own (bench/health-probe-main.ts), every 250 ms.
  const probe = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./health-probe-main.ts', import.meta.url)), `${server.url}/healthz`], { stdio: ['ignore', 'pipe', 'inherit'] });
  createInterface({ input: probe.stdout! }).on('line', (line) => healthMs.push(Number(line)));
  const loop = (async () => {
    let nextScrape = started;
    let nextReport = started + reportEveryMs;
    while (watching) {
      rssMax = Math.max(rssMax, server.rssMb());
      if (Date.now() >= nextScrape) {
        nextScrape += scrapeEveryMs;
        await scrape().catch(() => undefined);
      }
      // Long runs show their progress: what was acknowledged, where memory, lag and the backlog stand.
      if (Date.now() >= nextReport) {
        nextReport += reportEveryMs;
        const lag = lagMaxMs.slice(-reportEveryMs / scrapeEveryMs);
        const health = healthMs.slice(-reportEveryMs / watchEveryMs);
        say(
          `  ${Math.round((Date.now() - started) / 1000)} s: ${progress()}, backlog ${backlog}, server RSS ${Math.round(server.rssMb())} MB, ` +
            `event-loop lag max ${Math.round(Math.max(0, ...lag))} ms, /healthz p99 ${Math.round(percentile(health, 99))} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, watchEveryMs));
    }
  })();

  return {
    /** The backlog now, events (a scrape of its own). */
    backlog: async () => (await scrape())('onescreen_ingest_backlog_events'),
    scrape,
    async stop() {
      watching = false;
      await loop;
      probe.kill();
      const round = (ms: number) => Math.round(ms);
      const figures = { healthP99Ms: round(percentile(healthMs, 99)), lagMaxMs: round(Math.max(0, ...lagMaxMs)), rssBeforeMb: round(rssBefore), rssMaxMb: round(rssMax) };
      const text =
        `/healthz p99 ${figures.healthP99Ms} ms; event-loop lag max ${figures.lagMaxMs} ms, p99 ${round(percentile(lagP99Ms, 99))} ms; ` +
        `server RSS ${figures.rssBeforeMb} → max ${figures.rssMaxMb} MB`;
      return { text, figures };
    },
  };
}

/** `count` processes that keep a core busy each, until `stop`. */
export function contendForCpu(count: number) {
  const busy: ChildProcess[] = Array.from({ length: count }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  return {
    stop: () => busy.forEach((child) => child.kill('SIGKILL')),
  };
}
