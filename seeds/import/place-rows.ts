// Places as table rows: each in its district (named in the file, else where it lies), with the
// fields its kind has checked.
import { districtsOfPlaces, gridCellTable, importWrite, placeTables, type Database, type ImportedPlace, type ImportWrite } from '../../geo/index.ts';
import type { PlaceKind, PlaceRow } from './places.ts';
import { check, type ImportTally } from './refusals.ts';

const cameraKinds = ['hd-video', 'e-police', 'smart-light'];

/** Each id once: an empty one or one given before is refused, naming where it was first. */
function uniqueIds(rows: PlaceRow[], tally: ImportTally): PlaceRow[] {
  const seen = new Map<string, PlaceRow>();
  for (const row of rows) {
    const first = seen.get(row.id);
    if (!row.id) tally.refuse(row.file, row.line, 'id', 'is empty; give each place an id (the feature id, or an id or code field)');
    else if (first) tally.refuse(row.file, row.line, 'id', `"${row.id}" is given at ${first.file}:${first.line} too`);
    else seen.set(row.id, row);
  }
  return [...seen.values()];
}

async function inDistricts(db: Database, rows: PlaceRow[], tally: ImportTally): Promise<(PlaceRow & ImportedPlace)[]> {
  const geometry = (row: PlaceRow) => JSON.stringify(row.point ? { type: 'Point', coordinates: row.point } : { type: 'Polygon', coordinates: [row.ring] });
  const districts = await districtsOfPlaces(db, rows.map((row) => ({ geometry: geometry(row), district: row.district })));
  return rows.flatMap((row, i) => {
    const districtId = districts[i];
    if (districtId) return [{ ...row, districtId }];
    if (row.district) tally.refuse(row.file, row.line, 'district', `"${row.district}" is not one of the city's districts (by id or name); import the districts first, or correct it`);
    else tally.refuse(row.file, row.line, 'geometry', 'lies outside every district of the city; import the districts first, or give a district_id');
    return [];
  });
}

/** A field checked, or refused (undefined) naming the row's file and line. */
function field(row: PlaceRow, tally: ImportTally, names: string[], fallback: string, problem: (value: string) => string | undefined): string | undefined {
  const name = names.find((candidate) => row.fields[candidate]) ?? names[0]!;
  const value = row.fields[name] || fallback;
  const wrong = problem(value);
  if (wrong) tally.refuse(row.file, row.line, name, wrong);
  return wrong ? undefined : value;
}

/** The table writes of one kind of place. */
export async function placeWrites(db: Database, kind: PlaceKind, rows: PlaceRow[], tally: ImportTally): Promise<ImportWrite[]> {
  const placed = await inDistricts(db, uniqueIds(rows, tally), tally);
  if (kind === 'stations') return [importWrite(placeTables.stations, placed)];
  if (kind === 'grid-cells') return [importWrite(gridCellTable, placed.map((place) => ({ id: place.id, districtId: place.districtId, ring: place.ring! })))];
  if (kind === 'communities') {
    const communities = placed.flatMap((place) => {
      const residents = field(place, tally, ['residents', 'population'], '0', (value) => check.integer(value));
      return residents === undefined ? [] : [{ ...place, residents: Number(residents) }];
    });
    return [importWrite(placeTables.communities, communities)];
  }
  const sites = placed.flatMap((place) => {
    const siteKind = field(place, tally, ['kind'], 'hd-video', (value) => check.oneOf(value, cameraKinds));
    const heading = field(place, tally, ['heading', 'heading_deg'], '0', (value) => check.number(value, 0, 360));
    return siteKind === undefined || heading === undefined ? [] : [{ ...place, kind: siteKind, headingDeg: Number(heading) }];
  });
  return [importWrite(placeTables.cameraSites, sites), importWrite(placeTables.cameras, sites)];
}
