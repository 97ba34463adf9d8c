// The import command as a newcomer runs it: a city's districts and timetable into an empty database,
// saying each step; the units the city owns into its device registry, each bad line named, nothing
// registered while any is wrong.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listDevices, openDatabase } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { sampleGtfsZip, writeSampleDistricts } from '../seeds/import/test-feeds.ts';
import { runImportCommand } from './import-command.ts';

const work = mkdtempSync(join(tmpdir(), 'onescreen-import-command-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
// `npm run import -- …` against a database, its lines kept.
const commandOn = (env: NodeJS.ProcessEnv) => async (...argv: string[]) => {
  const lines: string[] = [];
  return { code: await runImportCommand(argv, env, (line) => void lines.push(line)), lines };
};
const file = (name: string, body: string) => (writeFileSync(join(work, name), body), join(work, name));

describe.each(testBackends())('npm run import on the $name database', (backend) => {
  it('imports a city’s districts and timetable into an empty database, saying each step', async () => {
    const dataDir = mkdtempSync(join(work, `${backend.name}-city-`));
    const settings = await backend.openSettings({ dataDir, withCity: false });
    const run = commandOn({ DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl });
    try {
      expect((await run('districts', writeSampleDistricts(dataDir), '--city', 'sample-berlin')).code).toBe(0);
      const gtfs = await run('gtfs', sampleGtfsZip);
      expect(gtfs.code).toBe(0);
      // Not a terminal here: a line per file read, then each step of writing, then what changed.
      expect(gtfs.lines).toEqual(expect.arrayContaining([expect.stringMatching(/^read stop_times\.txt: [\d.]+ MB in [\d.]+ s$/), 'writing bus_trip_stops: 6 rows…', expect.stringMatching(/^placing stops along their trips’ shapes/)]));
      expect(gtfs.lines.indexOf('writing bus_trip_stops: 6 rows…')).toBeGreaterThan(gtfs.lines.findIndex((line) => line.startsWith('read stop_times.txt')));
    } finally {
      await settings.dispose();
    }
  }, 120_000);

  it('registers a city’s units from CSV, all or nothing, naming each bad line', async () => {
    const dataDir = mkdtempSync(join(work, `${backend.name}-`));
    // The run's template city (Karamay): units go into any city's registry.
    const settings = await backend.openSettings({ dataDir, withCity: true });
    const run = commandOn({ DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl });
    try {
      const bad = await run('units', file('bad-units.csv', 'id,kind,label,agency,district\npc-x1,police-car,警A·0001,昆仑路派出所,d-01\npc-2,tank,X\npc-3,police-car,,,\npc-4,taxi,T,,Nowhere\n'));
      expect(bad.code).toBe(1);
      expect(bad.lines.filter((line) => line.startsWith('  bad-units.csv:'))).toEqual([
        '  bad-units.csv:3: kind: Invalid option: expected one of "police-car"|"police-officer"|"inspector"|"bus"|"taxi"|"truck"',
        '  bad-units.csv:4: label: is needed: a plate, call sign or name',
        '  bad-units.csv:5: district: no district "Nowhere"; use a district\'s id or name from GET /api/city',
      ]);
      expect(bad.lines.at(-1)).toBe('3 problems, no unit registered: mend those lines and import the file again');

      const good = file('units.csv', 'id,kind,label,agency,district\npc-x1,police-car,警A·0001,昆仑路派出所,d-01\ninsp-x7,inspector,网格员 7,,昆仑路街道\n');
      expect(await run('units', good)).toEqual({ code: 0, lines: expect.arrayContaining(['units: 2 registered in the device registry (retire them in /admin)']) });
      const db = await openDatabase(settings.databaseUrl ? { backend: 'server', url: settings.databaseUrl } : { backend: 'embedded', dataDir });
      try {
        const { devices } = await listDevices(db, { retired: false, limit: 10, text: '-x' });
        expect(devices.map(({ id, kind, agency, districtId, registeredBy }) => ({ id, kind, agency, districtId, registeredBy })).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: 'insp-x7', kind: 'inspector', agency: null, districtId: 'd-01', registeredBy: 'npm run import' },
          { id: 'pc-x1', kind: 'police-car', agency: '昆仑路派出所', districtId: 'd-01', registeredBy: 'npm run import' },
        ]);
        expect(await db.query(`SELECT actor, action FROM audit_log WHERE actor = 'npm run import'`)).toEqual([{ actor: 'npm run import', action: 'devices-imported' }]);
      } finally {
        await db.close();
      }
    } finally {
      await settings.dispose();
    }
  }, 120_000);
});
