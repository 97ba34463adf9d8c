// `npm run import -- <what> <file>…`: brings a city's own files into the database `npm start`
// and `npm run serve` use (DATA_DIR, or DATABASE_URL), and says what it took, passed over and refused.
import { parseArgs } from 'node:util';
import { deleteImport, listImports, migrate, openDatabase } from '../geo/index.ts';
import { crsNames, type Crs } from '../streams/index.ts';
import { formatRefusal, importCityData, importKinds, importUnits, type ImportKind, type ImportReport } from '../seeds/index.ts';
import { createFileProgress } from './progress.ts';

export const importUsage = `usage:
  npm run import -- <what> <file>… [--name <import>] [--crs wgs84|gcj02|bd09] [--strict]
                   [--city <id> --name-zh <中文名> --name-en <English name>]   (the first import names the city)
  npm run import -- units <units.csv>      (the device registry, as /admin takes it: id,kind,label,agency,district)
  npm run import -- --remove <import>
  npm run import -- --list
what: ${importKinds.join(', ')}
  (gtfs: a GTFS .zip or a folder of its .txt files; osm: an OpenStreetMap extract (.osm.pbf), for
   roads and water; districts, roads, communities, grid-cells: GeoJSON; stations, cameras:
   GeoJSON points or CSV with lon and lat columns)`;

/** A command line the importer cannot follow: what is wrong and the usage. */
export class ImportUsageError extends Error {
  override name = 'ImportUsageError';
}

const cityId = /^[a-z0-9][a-z0-9-]{0,40}$/;
// The refusals printed in full; the rest are counted by reason.
const refusalsShown = 50;

function readCommand(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, crs: { type: 'string', default: 'wgs84' }, strict: { type: 'boolean', default: false }, city: { type: 'string' }, 'name-zh': { type: 'string' }, 'name-en': { type: 'string' }, remove: { type: 'string' }, list: { type: 'boolean', default: false } },
  });
  if (values.remove) return { action: 'remove' as const, name: values.remove };
  if (values.list) return { action: 'list' as const };
  const [kind, ...paths] = positionals;
  if (kind === 'units') {
    if (paths.length !== 1) throw new ImportUsageError('units takes one CSV file');
    return { action: 'units' as const, path: paths[0]! };
  }
  if (!importKinds.includes(kind as ImportKind)) throw new ImportUsageError(`"${kind ?? ''}" is not something to import`);
  if (paths.length === 0) throw new ImportUsageError(`name the ${kind} file(s) to import`);
  if (!crsNames.includes(values.crs as Crs)) throw new ImportUsageError(`--crs ${values.crs}: expected one of ${crsNames.join(', ')}`);
  if (values.city !== undefined && !cityId.test(values.city)) throw new ImportUsageError(`--city ${values.city}: expected lower-case letters, digits and dashes (it is what CITY= names)`);
  const city = values.city ? { id: values.city, nameZh: values['name-zh'] ?? values['name-en'] ?? values.city, nameEn: values['name-en'] ?? values['name-zh'] ?? values.city } : undefined;
  return { action: 'import' as const, request: { kind: kind as ImportKind, paths, name: values.name, crs: values.crs as Crs, city, strict: values.strict } };
}

/** The report as lines: per table what changed, what was passed over, what was refused and where. */
export function describeImport(report: ImportReport): string[] {
  const lines = [`import "${report.name}" (${report.kind}): ${report.files.length} files read`];
  for (const change of report.changes) lines.push(`  ${change.table.padEnd(22)} ${change.added} added, ${change.changed} changed, ${change.removed} removed, ${change.unchanged} unchanged`);
  for (const [reason, count] of Object.entries(report.skipped)) lines.push(`  passed over ${count}: ${reason}`);
  if (report.refused.length > 0) lines.push(`  refused ${report.refused.length} rows (fix them and import again; --strict refuses the whole import instead):`);
  for (const refusal of report.refused.slice(0, refusalsShown)) lines.push(`    ${formatRefusal(refusal)}`);
  if (report.refused.length > refusalsShown) lines.push(`    … and ${report.refused.length - refusalsShown} more`);
  return lines;
}

/** Runs one import command; resolves to the exit code. */
export async function runImportCommand(argv: string[], env: NodeJS.ProcessEnv, say: (line: string) => void): Promise<number> {
  const command = readCommand(argv);
  const db = env.DATABASE_URL ? await openDatabase({ backend: 'server', url: env.DATABASE_URL }) : await openDatabase({ backend: 'embedded', dataDir: env.DATA_DIR || './.data' });
  try {
    await migrate(db);
    if (command.action === 'list') {
      for (const held of await listImports(db)) say(`${held.name} (${held.kind}, ${held.crs}) imported ${held.importedAt}: ${held.files.map((file) => file.path).join(', ')}`);
      return 0;
    }
    if (command.action === 'remove') {
      const removed = await deleteImport(db, command.name);
      if (!removed) say(`no import "${command.name}" here; npm run import -- --list shows what there is`);
      else say(`removed import "${command.name}": ${Object.entries(removed).map(([table, rows]) => `${rows} ${table}`).join(', ') || 'no rows'}`);
      return removed ? 0 : 1;
    }
    const progress = createFileProgress(say);
    if (command.action === 'units') {
      const units = await importUnits(db, command.path, progress.update).finally(progress.finish);
      for (const problem of units.problems) say(`  ${units.file.path}:${problem.line ?? '?'}: ${problem.field}: ${problem.message}`);
      say(units.problems.length > 0 ? `${units.problems.length} problems, no unit registered: mend those lines and import the file again` : `units: ${units.registered.length} registered in the device registry (retire them in /admin)`);
      await db.flushToDisk();
      return units.problems.length > 0 ? 1 : 0;
    }
    const report = await importCityData(db, command.request, progress.update, (step) => (progress.finish(), say(`${step}…`))).finally(progress.finish);
    for (const line of describeImport(report)) say(line);
    await db.flushToDisk();
    return 0;
  } finally {
    await db.close();
  }
}
