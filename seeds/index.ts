// City base data: the deterministic city generator, its scale profiles, and the loader.
export { cityProfiles, cityProfileIds, defaultCity } from './profiles.ts';
export type { CityProfile, CityProfileId } from './profiles.ts';
export { generateCity, generatorVersion } from './city-generator.ts';
export { loadCity, CityMismatchError, cityTitle } from './load-city.ts';
export { importCityData, importKinds, ImportRefusedError } from './import/import-city.ts';
export type { ImportKind, ImportReport, ImportRequest } from './import/import-city.ts';
export { formatRefusal } from './import/refusals.ts';
export { importUnits } from './import/import-units.ts';
export type { UnitsReport } from './import/import-units.ts';
export type { Refusal } from './import/refusals.ts';
