// `npm start` as a person runs it: the launcher loads the city, starts the server as its own
// process and drives every feed from the simulators beside it, over the real protocols.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMetric, seen } from '../server/test-server.ts';
import { readLaunchSettings, LaunchSettingError } from './settings.ts';
import { startLauncher } from './test-launcher.ts';

describe('the launcher’s settings', () => {
  it('runs the Karamay demo with simulators by default, and names a bad setting', () => {
    expect(readLaunchSettings({})).toMatchObject({ city: undefined, simulate: true, simulateRate: 1, port: 8080, osmandPort: 5055, dataDir: './.data' });
    expect(readLaunchSettings({ CITY: 'yantai', SIMULATE: '0', PORT: '0', SIMULATE_RATE: '6.5' })).toMatchObject({ city: 'yantai', simulate: false, simulateRate: 6.5, port: 0 });
    expect(() => readLaunchSettings({ CITY: 'Atlantis!' })).toThrow(new LaunchSettingError('CITY="Atlantis!": expected a city id (lower-case letters, digits and dashes): a demo city or one imported with npm run import'));
    expect(() => readLaunchSettings({ SIMULATE: 'yes' })).toThrow('SIMULATE="yes": expected one of 0, 1');
    for (const rate of ['0', '31', 'fast']) expect(() => readLaunchSettings({ SIMULATE_RATE: rate })).toThrow(`SIMULATE_RATE="${rate}": expected a number from 0.1 to 30`);
    expect(() => readLaunchSettings({ OSMAND_PORT: '70000' })).toThrow('OSMAND_PORT="70000": expected a whole number from 0 to 65535');
  });
});

describe('npm start', () => {
  let launched: Awaited<ReturnType<typeof startLauncher>>;
  beforeAll(async () => {
    launched = await startLauncher();
  }, 200_000);
  afterAll(() => launched?.cleanUp());

  it('runs the server beside simulators that reach it over every protocol, and stops both on SIGTERM', { timeout: 120_000 }, async () => {
    const accepted = (source: string) => readMetric(launched.url, `onescreen_ingest_accepted_total{source="${source}"}`);
    // Trackers every 5–15 s, cameras every few seconds, the bus feed every 15 s.
    for (const source of ['osmand', 'http-cameras', 'gtfs-rt']) await seen(async () => ((await accepted(source)) > 0 ? true : undefined), 60_000);
    const operator = await launched.as('operator');
    const buses = (await (await operator.fetch('/api/entities?kind=bus')).json()) as { updatedAt: string | null }[];
    expect(buses.length).toBe(400);
    // Taxis through their platform's feed, served from the platform's own process.
    const taxisMoved = async () => {
      const taxis = (await (await operator.fetch('/api/entities?kind=taxi')).json()) as { updatedAt: string | null }[];
      const moved = taxis.filter((taxi) => taxi.updatedAt !== null && Date.parse(taxi.updatedAt) >= launched.startedAt).length;
      return moved >= 100 ? moved : undefined;
    };
    // Asked once a second: the whole list of taxis twenty times a second trips the API's rate limit.
    expect(await seen(taxisMoved, 60_000, 1_000)).toBeGreaterThanOrEqual(100);
    // The simulators' keys travel in headers: no URL the server logged holds one.
    expect(launched.output()).not.toMatch(/api_key=/);
    expect(await launched.stop()).toBe(0);
    expect(launched.output()).toMatch(/"msg":"stopping","signal":"SIGTERM"/);
  });
});
