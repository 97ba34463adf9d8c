
/** What the launcher itself reads; every other setting goes to the server, which checks its own. */
export interface LaunchSettings {
  /** A demo city profile or an imported city's id; undefined: whatever the database holds, else the default demo. */
  city: string | undefined;
  simulate: boolean;
  /** Every simulated device reports this many times as often as its kind does (SIMULATE_RATE; 1). */
  simulateRate: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** 0: any free port (chosen here, so the simulators know where to send). */
  port: number;
  osmandPort: number;
  host: string;
  mqttUrl: string | undefined;
  /** Further GTFS-RT feeds the server polls besides the simulated agency's. */
  gtfsRtUrls: string | undefined;
}

/** A setting the launcher cannot use: one line naming it and what to set instead. */
export class LaunchSettingError extends Error {
  override name = 'LaunchSettingError';
}

const port = (env: NodeJS.ProcessEnv, name: string, fallback: number) => {
  const value = env[name] ?? String(fallback);
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65_535) throw new LaunchSettingError(`${name}="${value}": expected a whole number from 0 to 65535`);
  return Number(value);
};

export function readLaunchSettings(env: NodeJS.ProcessEnv): LaunchSettings {
  const city = env.CITY || undefined;
  if (city !== undefined && !/^[a-z0-9][a-z0-9-]{0,40}$/.test(city)) throw new LaunchSettingError(`CITY="${city}": expected a city id (lower-case letters, digits and dashes): a demo city or one imported with npm run import`);
  const simulate = env.SIMULATE ?? '1';
  if (simulate !== '0' && simulate !== '1') throw new LaunchSettingError(`SIMULATE="${simulate}": expected one of 0, 1`);
  const rate = env.SIMULATE_RATE || '1';
  // Up to 1 Hz for the slowest kind (trucks every 30 s): a megacity at 30 would offer ~280,000/s.
  if (!/^\d{1,2}(\.\d{1,3})?$/.test(rate) || Number(rate) < 0.1 || Number(rate) > 30) throw new LaunchSettingError(`SIMULATE_RATE="${rate}": expected a number from 0.1 to 30 (how many times as often each simulated device reports)`);
  return {
    city,
    simulate: simulate === '1',
    simulateRate: Number(rate),
    dataDir: env.DATA_DIR || './.data',
    databaseUrl: env.DATABASE_URL || undefined,
    port: port(env, 'PORT', 8080),
    osmandPort: port(env, 'OSMAND_PORT', 5055),
    host: env.HOST || '0.0.0.0',
    mqttUrl: env.MQTT_URL || undefined,
    gtfsRtUrls: env.GTFS_RT_URLS || undefined,
  };
}
