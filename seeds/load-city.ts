import { insertCity, readLoadedCity, type CityLoadStep, type Database } from '../geo/index.ts';
import { generateCity } from './city-generator.ts';
import { cityProfiles, type CityProfileId } from './profiles.ts';

export class CityMismatchError extends Error {
  override name = 'CityMismatchError';
}

/**
 * Generates and stores the profile's city unless the database already holds it: loading twice is
 * a no-op. A database holding another city is left alone and reported.
 */
export async function loadCity(db: Database, profileId: CityProfileId, onStep: (progress: CityLoadStep) => void = () => {}): Promise<'loaded' | 'already-loaded'> {
  const existing = await readLoadedCity(db);
  if (existing) {
    if (existing.profile === profileId) return 'already-loaded';
    throw new CityMismatchError(
      `the database at ${db.location} holds the city "${existing.profile}", not "${profileId}"; ` +
        `set CITY=${existing.profile}, or point DATA_DIR (or DATABASE_URL) at an empty database to load ${profileId}`,
    );
  }
  onStep({ step: 'generating streets', done: 0, total: 1 });
  const city = generateCity(cityProfiles[profileId]);
  await insertCity(db, city, onStep);
  return 'loaded';
}
