// City base data: the deterministic city generator, its scale profiles, and the loader.
export { cityProfiles, cityProfileIds, defaultCity } from './profiles.ts';
export type { CityProfile, CityProfileId } from './profiles.ts';
export { generateCity, generatorVersion } from './city-generator.ts';
export { loadCity, CityMismatchError } from './load-city.ts';
