// Runs the onescreen server until interrupted, on a database that holds a city. `npm start`'s
// launcher runs it with --demo (one account per role, known password) beside the simulators;
// `npm run serve` is production: accounts come from ADMIN_PASSWORD and the users API.
import { demoPassword, demoUsers, isDatabaseSetupError, MigrationError } from '../geo/index.ts';
import { isConfigError, parseConfig } from './config.ts';
import { createLogger } from './log.ts';
import { NoCityError, startServer } from './start-server.ts';

// Failures a person can fix from the message alone: shown as one line, without a stack.
const isExpected = (error: unknown) => isConfigError(error) || isDatabaseSetupError(error) || error instanceof MigrationError || error instanceof NoCityError;

function fail(error: unknown): never {
  process.stderr.write(isExpected(error) ? `onescreen: ${(error as Error).message}\n` : `onescreen: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}

let config;
try {
  config = parseConfig({ ...process.env, ...(process.argv.includes('--demo') && { DEMO: '1' }) }, process.stdout.isTTY);
} catch (error) {
  fail(error);
}
const log = createLogger({ level: config.logLevel, format: config.logFormat });
const startedAt = performance.now();
const server = await startServer(config, log).catch(fail);
log.info(`onescreen is ready: open ${server.url}wall`, { url: server.url, osmandPort: server.osmandPort, startupMs: Math.round(performance.now() - startedAt) });
if (config.demo) {
  log.info(`demo mode: sign in as ${demoUsers.join(', ')} with the password "${demoPassword}" (never use demo mode on a real network)`);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    server.close().then(
      () => process.exit(0),
      (error) => {
        log.error('stopping failed', { error });
        process.exit(1);
      },
    );
  });
}
