// `npm start`: prepares the city, starts the server as its own process, and runs the simulators
// beside it as ordinary clients of its protocols — the server knows neither generator nor simulator.
import { once } from 'node:events';
import { Subject } from 'rxjs';
import { offeredPerSecond, ordersFromAssignments, platformProcessesFor, platformUnits, serveVehiclePositions, startCitySimulators, startPlatformFeeds } from '../fixtures/index.ts';
import type { PositionEvent } from '../streams/index.ts';
import { dispatchedAssignments } from './crew-terminals.ts';
import { prepareCity } from './prepare-city.ts';
import { freePort, serverReady, spawnServer } from './server-process.ts';
import { readLaunchSettings } from './settings.ts';

export { LaunchSettingError, readLaunchSettings } from './settings.ts';
export { prepareCity } from './prepare-city.ts';
export { dispatchedAssignments } from './crew-terminals.ts';
export { freePort, serverNodeArgs } from './server-process.ts';

const say = (line: string) => process.stderr.write(`${new Date().toTimeString().slice(0, 8)} info  [launch] ${line}\n`);

/** Runs the product until the server stops or the launcher is told to stop; resolves to the exit code. */
export async function launch(env: NodeJS.ProcessEnv, serverArgs: string[]): Promise<number> {
  const settings = readLaunchSettings(env);
  const port = settings.port || (await freePort());
  const osmandPort = settings.osmandPort || (await freePort());
  // The simulated transit agency's GTFS-RT feed: up before the server, which polls it from its start.
  const buses = new Subject<PositionEvent>();
  const busFeed = settings.simulate ? await serveVehiclePositions(buses) : undefined;
  const prepared = await prepareCity(settings, say);
  // The taxi and truck platforms, in processes of their own: as many as the city's fleet needs.
  const platforms = prepared ? await startPlatformFeeds(platformProcessesFor(platformUnits(prepared.city.fleet).length)) : undefined;
  const gtfsRtUrls = [settings.gtfsRtUrls, busFeed?.url, ...(platforms?.urls ?? [])].filter(Boolean).join(',');
  // The simulated platforms forward every second, as a city's data exchange does; a real agency's
  // feed given in GTFS_RT_URLS is polled as GTFS_RT_INTERVAL_MS says, or every 15 s.
  const interval = !settings.gtfsRtUrls && platforms && !env.GTFS_RT_INTERVAL_MS ? { GTFS_RT_INTERVAL_MS: '1000' } : {};
  const server = spawnServer({ ...env, PORT: String(port), OSMAND_PORT: String(osmandPort), ...interval, ...(gtfsRtUrls && { GTFS_RT_URLS: gtfsRtUrls }) }, serverArgs);
  const exited = once(server, 'exit').then(([code, signal]) => (code as number | null) ?? (signal ? 1 : 0));
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const serverUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`;

  let simulators: { stop(): Promise<void> } | undefined;
  const stopAll = async () => {
    await simulators?.stop();
    await platforms?.stop();
    await busFeed?.close();
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.kill('SIGTERM'));
  try {
    await serverReady(server, serverUrl);
    if (prepared) {
      const warnOnce = onlyFirst((error) => say(`a simulated device could not report: ${(error as Error).message}`));
      const demo = serverArgs.includes('--demo');
      const orders = demo ? ordersFromAssignments(dispatchedAssignments(serverUrl, warnOnce)) : undefined;
      const targets = { serverUrl, osmandUrl: `http://${host}:${osmandPort}/`, mqttUrl: settings.mqttUrl, keys: prepared.keys, buses, platforms: platforms!, orders };
      simulators = await startCitySimulators(prepared.city, targets, warnOnce, { rate: settings.simulateRate });
      const { fleet, cameras, timetable } = prepared.city;
      const timetabled = timetable.length > 0 ? `, buses on ${timetable.length} trips of the imported timetable` : '';
      const offered = Math.round(offeredPerSecond(fleet.map((member) => member.kind), settings.simulateRate)).toLocaleString('en');
      say(`simulating ${fleet.length} units (${offered} positions/s)${timetabled} and ${cameras.length} cameras over OsmAnd, GTFS-RT, ${settings.mqttUrl ? 'MQTT' : 'HTTP'}, Open311 and alarms${demo ? '' : ' (crews follow no orders: start with --demo for that)'}`);
    }
  } catch (error) {
    say((error as Error).message);
  }
  const code = await exited;
  await stopAll();
  return code;
}

/** Calls `report` for the first failure only: a simulator that cannot reach its server is one line, not one per fix. */
function onlyFirst(report: (error: unknown) => void): (error: unknown) => void {
  let reported = false;
  return (error) => {
    if (!reported) report(error);
    reported = true;
  };
}
