// `npm run import -- units units.csv`: the units a city owns into its device registry, as the admin
// console's CSV upload takes them (id, kind, label, agency, district): all or nothing, audited.
import { appendAudit, registerDevices, type Database, type Device } from '../../geo/index.ts';
import { checkDeviceRows, type DeviceProblem } from '../../streams/index.ts';
import { fileOnDisk, readCsv, type FileDigest, type OnBytes } from './feed-files.ts';

/** Who the registry and the audit log name for units registered from the command line. */
export const importActor = 'npm run import';

export interface UnitsReport {
  file: FileDigest;
  registered: Device[];
  /** Every bad row; when there is any, nothing was registered. */
  problems: DeviceProblem[];
}

export async function importUnits(db: Database, path: string, onBytes: OnBytes = () => {}): Promise<UnitsReport> {
  const rows: { line: number; row: Record<string, string> }[] = [];
  // Empty optional cells are absent, not empty names (as in the admin console).
  const file = await readCsv(fileOnDisk(path), (record, line) => rows.push({ line, row: Object.fromEntries(Object.entries(record).filter(([, value]) => value !== '')) }), onBytes);
  if (rows.length === 0) return { file, registered: [], problems: [{ line: 1, field: 'file', message: 'no units; the first line names the columns (id,kind,label,agency,district), then one unit per line' }] };
  const { problems, devices } = await checkDeviceRows(db, rows);
  if (problems.length > 0) return { file, registered: [], problems };
  const registered = await db.transaction(async (tx) => {
    const done = await registerDevices(tx, devices, importActor);
    await appendAudit(tx, { actor: importActor, action: 'devices-imported', objectType: 'device', after: { count: done.length, ids: done.slice(0, 50).map((d) => d.id), file: file.path, sha256: file.sha256 } });
    return done;
  });
  return { file, registered, problems };
}
