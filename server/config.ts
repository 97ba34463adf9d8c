import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { crsFeeds, type CrsFeed, crsNames, type Crs } from '../streams/index.ts';

/** The server's runtime configuration, read from the environment in this one place. */
const crsPairsExpected = `expected comma-separated feed:system pairs, e.g. osmand:gcj02,gtfs-rt:bd09 (feeds ${crsFeeds.join(', ')}; systems ${crsNames.join(', ')})`;

export interface Config {
  /** The product's version, from package.json. */
  version: string;
  port: number;
  /** Where OsmAnd trackers (Traccar Client) post, as Traccar's own port 5055. */
  osmandPort: number;
  host: string;
  dataDir: string;
  /** PostgreSQL + PostGIS when set; the embedded database in dataDir otherwise. */
  databaseUrl: string | undefined;
  /** The ingest bus on NATS JetStream across nodes (needs DATABASE_URL); the local log when not set. */
  natsUrl: string | undefined;
  /** Partitions of the JetStream ingest bus: each is processed by one node at a time. */
  natsPartitions: number;
  /** The JetStream stream the ingest bus uses (all nodes of one city share it). */
  natsStream: string;
  /** Redis, for the screens across nodes (Socket.IO's Redis streams adapter). */
  redisUrl: string | undefined;
  /** Where in Redis the nodes of one city meet (its stream and recovered sessions' keys). */
  redisKeyPrefix: string;
  /** GTFS-RT VehiclePositions feeds to poll. */
  gtfsRtUrls: string[];
  gtfsRtIntervalMs: number;
  /** MQTT broker with the camera topics (e.g. Mosquitto); cameras also post over HTTP. */
  mqttUrl: string | undefined;
  /** One staleness limit for every feed, ms, instead of each feed's own (for tests and drills). */
  feedStaleAfterMs: number | undefined;
  /** Each feed's coordinate system (WGS-84 unless FEED_CRS says otherwise): converted to WGS-84 on arrival. */
  feedCrs: Record<CrsFeed, Crs>;
  /** What the screens draw under the live layers: a tile archive on disk or a style URL; the city's own layers when not set. */
  baseMap: { kind: 'archive'; path: string; crs: 'wgs84' | 'gcj02' } | { kind: 'style'; url: string; crs: 'wgs84' | 'gcj02' } | undefined;
  /** The city's own layers to the screens as one GeoJSON each, as vector tiles, or by its size (auto). */
  cityLayers: 'auto' | 'geojson' | 'tiles';
  tickMs: number;
  /** How long history is kept: positions and detector records (hours, in partitions), camera events and cleared fence alerts (days). */
  retention: { positionHours: number; detectorHours: number; eventDays: number };
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  logFormat: 'text' | 'json';
  clientDir: string;
  /** Demo mode: one account per role with a known password, shown on the sign-in page. Never in production. */
  demo: boolean;
  /** Page origins besides the server's own that may call the API and open sockets. */
  allowedOrigins: string[];
  /** A session ends this long after its last use, ms. */
  sessionTtlMs: number;
  /** Creates the user "admin" with this password on a start that finds no such user. */
  adminPassword: string | undefined;
  /** PostgreSQL stops a statement running longer than this, ms. */
  statementTimeoutMs: number;
  /** How often open incidents are checked against their SLA, ms. */
  slaCheckMs: number;
  /** Where emergency warnings are posted (an SMS gateway); none: screens only. */
  warningWebhookUrl: string | undefined;
  /** Where accepted input is logged before it is acknowledged; DATA_DIR/ingest-log when not set. */
  ingestLogDir: string | undefined;
  /** Input is refused (503) while this many accepted events wait to be applied… */
  ingestMaxBacklogEvents: number;
  /** …or while the core is this far behind (see IngestBusStatus.backlogSeconds), s. */
  ingestMaxBacklogSeconds: number;
  /** Input is refused (503) while the ingest log holds this many bytes. */
  ingestMaxLogBytes: number;
  /**
   * A screen that drops off this long is handed the pushes it missed when it comes back, ms; 0
   * turns that off (several nodes behind a pub/sub adapter cannot recover): it re-reads snapshots.
   */
  socketRecoveryMs: number;
}

/** A setting the process cannot start with; the message names it and says how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof ConfigError;
}

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `expected a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `expected a whole number from ${min} to ${max}`).max(max, `expected a whole number from ${min} to ${max}`));
const oneOf = <T extends string>(values: readonly [T, ...T[]]) => z.enum(values, { error: `expected one of ${values.join(', ')}` });

const environment = z.object({
  PORT: wholeNumber(0, 65_535).default(8080),
  OSMAND_PORT: wholeNumber(0, 65_535).default(5055),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./.data'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, 'expected a URL like postgres://user@host:5432/database')
    .optional(),
  GTFS_RT_URLS: z
    .string()
    .transform((list) => list.split(',').map((url) => url.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'expected comma-separated http(s) URLs of GTFS-RT VehiclePositions feeds' })))
    .default([]),
  GTFS_RT_INTERVAL_MS: wholeNumber(1_000, 600_000).default(15_000),
  MQTT_URL: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\/.+/, 'expected a broker URL like mqtt://127.0.0.1:1883')
    .optional(),
  NATS_URL: z
    .string()
    .regex(/^((nats|tls):\/\/)?[^,\s]+(,((nats|tls):\/\/)?[^,\s]+)*$/, 'expected NATS servers like nats://127.0.0.1:4222, comma-separated')
    .optional(),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'expected a URL like redis://127.0.0.1:6379').optional(),
  REDIS_KEY_PREFIX: z.string().regex(/^[A-Za-z0-9_:.-]{1,64}$/, 'expected letters, digits and _ : . -').default('onescreen'),
  NATS_PARTITIONS: wholeNumber(1, 256).default(8),
  NATS_STREAM: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a JetStream stream name: letters, digits, _ and -').default('ONESCREEN_INGEST'),
  // A quarter second: a 1 s tick alone added ~0.5 s to every fix's way to the screen (p99 1,047 ms
  // at Karamay's rate; 274 ms with 250 ms ticks, npm run load), and a full batch goes at once anyway.
  TICK_MS: wholeNumber(50, 60_000).default(250),
  FEED_STALE_AFTER_MS: wholeNumber(1_000, 86_400_000).optional(),
  FEED_CRS: z
    .string()
    .transform((list) => list.split(',').map((pair) => pair.trim().split(':')).filter((pair) => pair[0]))
    .pipe(
      z.array(
        z.tuple([z.enum(crsFeeds, { error: crsPairsExpected }), z.enum(crsNames as [Crs, ...Crs[]], { error: crsPairsExpected })], { error: crsPairsExpected }),
      ),
    )
    .default([]),
  BASE_MAP: z
    .string()
    .regex(/^(https?:\/\/.+|.+\.(pmtiles|mbtiles))$/, 'expected the path of a .pmtiles or .mbtiles file, or the http(s) URL of a MapLibre style on your own network')
    .optional(),
  BASE_MAP_CRS: oneOf(['wgs84', 'gcj02']).default('wgs84'),
  CITY_LAYERS: oneOf(['auto', 'geojson', 'tiles']).default('auto'),
  HISTORY_RETENTION_HOURS: wholeNumber(1, 24 * 365).default(24),
  DETECTOR_RETENTION_HOURS: wholeNumber(1, 24 * 365).optional(),
  EVENT_RETENTION_DAYS: wholeNumber(1, 3650).default(90),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error']).default('info'),
  LOG_FORMAT: oneOf(['text', 'json']).optional(),
  CLIENT_DIR: z.string().min(1).default(fileURLToPath(new URL('../dist/client/', import.meta.url))),
  DEMO: oneOf(['0', '1']).default('0'),
  ALLOWED_ORIGINS: z
    .string()
    .transform((list) => list.split(',').map((origin) => origin.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, 'expected comma-separated origins like https://wall.example.gov (scheme and host, no path)')))
    .default([]),
  SESSION_HOURS: wholeNumber(1, 24 * 30).default(12),
  STATEMENT_TIMEOUT_MS: wholeNumber(100, 600_000).default(10_000),
  SLA_CHECK_MS: wholeNumber(100, 3_600_000).default(30_000),
  WARNING_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of the gateway that takes warnings' }).optional(),
  INGEST_LOG_DIR: z.string().min(1).optional(),
  INGEST_MAX_BACKLOG_EVENTS: wholeNumber(100, 10_000_000).default(100_000),
  INGEST_MAX_BACKLOG_SECONDS: wholeNumber(1, 3_600).default(10),
  INGEST_MAX_LOG_BYTES: wholeNumber(1_000_000, 2 ** 50).default(2 * 1024 ** 3),
  SOCKET_RECOVERY_S: wholeNumber(0, 3_600).default(120),
  ADMIN_PASSWORD: z.string().min(10, 'expected at least 10 characters').max(256).optional(),
});

function baseMapSetting(baseMap: string | undefined, crs: 'wgs84' | 'gcj02'): Config['baseMap'] {
  if (baseMap === undefined) {
    if (crs !== 'wgs84') throw new ConfigError('invalid configuration: BASE_MAP_CRS says what BASE_MAP is drawn in, and BASE_MAP is not set; set both, or neither');
    return undefined;
  }
  return /^https?:\/\//.test(baseMap) ? { kind: 'style', url: baseMap, crs } : { kind: 'archive', path: baseMap, crs };
}

export function parseConfig(env: NodeJS.ProcessEnv, stdoutIsTerminal = false): Config {
  // An empty variable means "not set", as in most shells' `VAR= command`.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // A secret is not echoed into logs, even a wrong one.
      const shown = name.endsWith('PASSWORD') ? '(hidden)' : JSON.stringify(present[name] ?? '');
      return `${name}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}; fix the environment variable and start again`);
  }
  const e = parsed.data;
  if (e.NATS_URL && !e.DATABASE_URL) {
    throw new ConfigError('invalid configuration: NATS_URL spreads processing over nodes that share one database, and DATABASE_URL is not set; set DATABASE_URL too, or unset NATS_URL for the embedded single-node setup');
  }
  return {
    version: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version,
    port: e.PORT,
    osmandPort: e.OSMAND_PORT,
    host: e.HOST,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL,
    gtfsRtUrls: e.GTFS_RT_URLS,
    gtfsRtIntervalMs: e.GTFS_RT_INTERVAL_MS,
    mqttUrl: e.MQTT_URL,
    natsUrl: e.NATS_URL,
    natsPartitions: e.NATS_PARTITIONS,
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    natsStream: e.NATS_STREAM,
    feedStaleAfterMs: e.FEED_STALE_AFTER_MS,
    feedCrs: { ...(Object.fromEntries(crsFeeds.map((feed) => [feed, 'wgs84'])) as Record<CrsFeed, Crs>), ...Object.fromEntries(e.FEED_CRS) },
    baseMap: baseMapSetting(e.BASE_MAP, e.BASE_MAP_CRS),
    cityLayers: e.CITY_LAYERS,
    tickMs: e.TICK_MS,
    retention: { positionHours: e.HISTORY_RETENTION_HOURS, detectorHours: e.DETECTOR_RETENTION_HOURS ?? e.HISTORY_RETENTION_HOURS, eventDays: e.EVENT_RETENTION_DAYS },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT ?? (stdoutIsTerminal ? 'text' : 'json'),
    clientDir: e.CLIENT_DIR,
    demo: e.DEMO === '1',
    allowedOrigins: e.ALLOWED_ORIGINS,
    sessionTtlMs: e.SESSION_HOURS * 3_600_000,
    adminPassword: e.ADMIN_PASSWORD,
    statementTimeoutMs: e.STATEMENT_TIMEOUT_MS,
    slaCheckMs: e.SLA_CHECK_MS,
    warningWebhookUrl: e.WARNING_WEBHOOK_URL,
    ingestLogDir: e.INGEST_LOG_DIR,
    ingestMaxBacklogEvents: e.INGEST_MAX_BACKLOG_EVENTS,
    ingestMaxBacklogSeconds: e.INGEST_MAX_BACKLOG_SECONDS,
    ingestMaxLogBytes: e.INGEST_MAX_LOG_BYTES,
    socketRecoveryMs: e.SOCKET_RECOVERY_S * 1_000,
  };
}
