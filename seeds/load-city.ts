import { citySource, insertCity, type CityLoadStep, type Database } from '../geo/index.ts';
import { generateCity } from './city-generator.ts';
import { cityProfileIds, cityProfiles, defaultCity, type CityProfileId } from './profiles.ts';

export class CityMismatchError extends Error {
  override name = 'CityMismatchError';
}

/**
 * The city source: the database's imported city, or a generated demo city (stored unless the
 * database already holds it: loading twice is a no-op). `cityId` undefined takes whatever city the
 * database holds, else the default demo; a database holding another city is left alone and reported.
 */
export async function loadCity(db: Database, cityId: string | undefined, onStep: (progress: CityLoadStep) => void = () => {}): Promise<'loaded' | 'already-loaded' | 'imported'> {
  const holds = await citySource(db);
  if (holds?.source === 'imported' && (cityId === undefined || cityId === holds.id)) return 'imported';
  const wanted = cityId ?? holds?.id ?? defaultCity;
  if (holds) {
    if (holds.id === wanted) return 'already-loaded';
    throw new CityMismatchError(
      `the database at ${db.location} holds the city "${holds.id}", not "${wanted}"; ` +
        `set CITY=${holds.id} (or leave CITY unset), or point DATA_DIR (or DATABASE_URL) at an empty database to load ${wanted}`,
    );
  }
  if (!cityProfileIds.includes(wanted as CityProfileId)) {
    throw new CityMismatchError(`there is no city "${wanted}" in the database at ${db.location}: import it first (npm run import -- districts <file> --city ${wanted}), or set CITY to a demo city: ${cityProfileIds.join(', ')}`);
  }
  onStep({ step: 'generating streets', done: 0, total: 1 });
  const city = generateCity(cityProfiles[wanted as CityProfileId]);
  await insertCity(db, city, onStep);
  return 'loaded';
}

/** The name to show while loading: the demo profile's, or the imported city's id. */
export const cityTitle = (cityId: string | undefined) => (cityId && cityId in cityProfiles ? cityProfiles[cityId as CityProfileId].nameEn : (cityId ?? cityProfiles[defaultCity].nameEn));
