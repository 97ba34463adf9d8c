import { migrate, openDatabase } from '../geo/index.ts';
import { prepareCitySimulators, type SimulatedCity, type SimulatorKeys } from '../fixtures/index.ts';
import { cityTitle, loadCity } from '../seeds/index.ts';
import { createProgressReporter } from './progress.ts';
import type { LaunchSettings } from './settings.ts';

/**
 * The city source: opens the database, migrates it and loads the generated city (once; a database
 * holding another city is refused), then, to simulate, reads what the simulators drive and issues
 * their keys. Closes the database before the server opens it (the embedded one is one process's).
 */
export async function prepareCity(settings: LaunchSettings, say: (line: string) => void): Promise<{ city: SimulatedCity; keys: SimulatorKeys } | undefined> {
  if (!settings.databaseUrl) say('opening the embedded PostGIS database (a few seconds)');
  const db = settings.databaseUrl
    ? await openDatabase({ backend: 'server', url: settings.databaseUrl })
    : await openDatabase({ backend: 'embedded', dataDir: settings.dataDir });
  try {
    await migrate(db);
    const progress = createProgressReporter(`loading ${cityTitle(settings.city)}`, say);
    const loaded = await loadCity(db, settings.city, (step) => progress.update(step));
    progress.finish(loaded === 'loaded' ? `city ${cityTitle(settings.city)} loaded` : loaded === 'imported' ? 'the imported city is ready' : `city ${cityTitle(settings.city)} already loaded`);
    return settings.simulate ? await prepareCitySimulators(db) : undefined;
  } finally {
    await db.close();
  }
}
