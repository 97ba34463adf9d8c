// `npm run import`: see import-command.ts.
import { ImportConflictError, isDatabaseSetupError, MigrationError } from '../geo/index.ts';
import { ImportRefusedError } from '../seeds/index.ts';
import { ImportUsageError, importUsage, runImportCommand } from './import-command.ts';

const say = (line: string) => process.stderr.write(`${line}\n`);
try {
  process.exitCode = await runImportCommand(process.argv.slice(2), process.env, say);
} catch (error) {
  if (error instanceof ImportUsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) say(`onescreen import: ${(error as Error).message}\n${importUsage}`);
  else if (error instanceof ImportRefusedError || error instanceof ImportConflictError || error instanceof MigrationError || isDatabaseSetupError(error)) say(`onescreen import: ${(error as Error).message}`);
  else say(`onescreen import: failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
}
