// `npm start` (the product with its simulated city) and `npm run city -- <profile>` (only load
// the city into DATA_DIR or DATABASE_URL, for `npm run serve`).
import { isDatabaseSetupError, MigrationError } from '../geo/index.ts';
import { CityMismatchError } from '../seeds/index.ts';
import { launch, LaunchSettingError, prepareCity, readLaunchSettings } from './index.ts';

const expected = (error: unknown) => error instanceof LaunchSettingError || error instanceof CityMismatchError || error instanceof MigrationError || isDatabaseSetupError(error);
const [mode, ...rest] = process.argv.slice(2);

try {
  if (mode === '--city-only') {
    const env = { ...process.env, ...(rest[0] && { CITY: rest[0] }), SIMULATE: '0' };
    await prepareCity(readLaunchSettings(env), (line) => process.stderr.write(`${line}\n`));
  } else {
    process.exitCode = await launch(process.env, process.argv.slice(2));
  }
} catch (error) {
  process.stderr.write(expected(error) ? `onescreen: ${(error as Error).message}\n` : `onescreen: failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
// Idle keep-alive connections of the simulators' HTTP client would hold the process a while.
process.exit();
