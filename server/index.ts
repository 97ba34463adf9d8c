// The server: configuration, HTTP + Socket.IO, and the process lifecycle.
export { parseConfig, ConfigError, isConfigError } from './config.ts';
export type { Config } from './config.ts';
export { createLogger } from './log.ts';
export type { Logger, LogLevel } from './log.ts';
export { startServer } from './start-server.ts';
export type { RunningServer } from './start-server.ts';
// The city's vector tiles as the screens get them (measured by bench/basemap-layers.ts).
export { cityTile } from './city-tiles.ts';
