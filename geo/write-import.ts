// One import as one transaction: everything it read is written, or nothing is.
import { ImportConflictError, recordImport, removeAllOf, removeImport, removeStale, upsertImported, type ImportRecord, type ImportTable, type TableChange } from './city-import.ts';
import { noStatementTimeout, type Database, type Queryable } from './database.ts';
import { citySource, gridCellTable, placeCamerasOnRoads, placeTripStops, proposeGridCells, refreshImportedCity, takeCamerasOffRoads, type ImportedCityName } from './imported-city.ts';
import { importedTablesChildrenFirst } from './import-tables.ts';
import { relocateEntities } from './positions.ts';

/** Rows for one table (the spec's row type is the caller's business). */
export interface ImportWrite {
  spec: ImportTable<never>;
  rows: readonly unknown[];
}

export const importWrite = <Row>(spec: ImportTable<Row>, rows: readonly Row[]): ImportWrite => ({ spec: spec as unknown as ImportTable<never>, rows });

/**
 * Writes an import: its record, its tables in the order given (parents first), grid cells when it
 * brings districts and the city has no cells of its own, each timetabled stop placed on its
 * trip's shape, rows it no longer has removed, and the city's bounds. A database holding the
 * generated demo city is refused: a real city goes in a database of its own.
 */
export async function writeImport(db: Database, record: ImportRecord, writes: ImportWrite[], city: ImportedCityName | undefined, onStep: (step: string) => void = () => {}): Promise<TableChange[]> {
  return writeImportOnce(db, record, writes, city, onStep).catch((error: unknown) => refuseWhenReferenced(error, `cannot import "${record.name}": rows it would replace or remove`));
}

// A foreign-key violation: the city's own history (positions, cases, rollups) refers to a row.
function refuseWhenReferenced(error: unknown, what: string): never {
  if ((error as { code?: string }).code !== '23503') throw error;
  throw new ImportConflictError(
    `${what} are referred to by the city's live records (${(error as Error).message}); nothing was changed. ` +
      'History stays with the city it happened in: to begin again, import into an empty database (another DATA_DIR or DATABASE_URL)',
  );
}

async function writeImportOnce(db: Database, record: ImportRecord, writes: ImportWrite[], city: ImportedCityName | undefined, onStep: (step: string) => void): Promise<TableChange[]> {
  return db.transaction(async (tx) => {
    await tx.query(noStatementTimeout);
    const holds = await citySource(tx);
    if (holds?.source === 'generated') throw new ImportConflictError(`the database at ${db.location} holds the generated demo city "${holds.id}"; import a real city into a database of its own (another DATA_DIR, or another DATABASE_URL)`);
    if (!holds && !city) throw new ImportConflictError('this database holds no city yet: name it with --city <id> (letters, digits and dashes), and optionally --name-zh and --name-en');
    const [earlier] = await tx.query<{ kind: string }>('SELECT kind FROM imports WHERE name = $1', [record.name]);
    if (earlier && earlier.kind !== record.kind) throw new ImportConflictError(`the import "${record.name}" holds ${earlier.kind}, not ${record.kind}: give this one another --name`);
    await recordImport(tx, record);
    // A city's own grid cells replace those proposed for its districts (units in them are placed again by the next tick).
    if (writes.some(({ spec }) => spec.table === 'grid_cells')) await dropOthersCells(tx, record.name);
    const all = [...writes];
    const changes: TableChange[] = [];
    for (const { spec, rows } of writes) {
      // A large timetable's stop times take a while (480,000 rows: about 10 s): each table is said as it starts.
      onStep(`writing ${spec.table}: ${rows.length.toLocaleString('en')} row${rows.length === 1 ? '' : 's'}`);
      changes.push({ ...(await upsertImported(tx, spec, rows as never[], record.name)), removed: 0 });
    }
    const districts = writes.find(({ spec }) => spec.table === 'districts');
    if (districts) {
      const [foreign] = await tx.query('SELECT 1 FROM grid_cells WHERE import_name IS DISTINCT FROM $1 LIMIT 1', [record.name]);
      if (!foreign) {
        const cells = await proposeGridCells(tx, (districts.rows as { id: string }[]).map((district) => district.id));
        all.push({ spec: gridCellTable as unknown as ImportTable<never>, rows: cells });
        changes.push({ ...(await upsertImported(tx, gridCellTable, cells, record.name)), removed: 0 });
      }
    }
    onStep('placing stops along their trips’ shapes, cameras on their roads, and removing what the files no longer have');
    await placeTripStops(tx, record.name);
    await takeCamerasOffRoads(tx);
    // What this import no longer has goes, children first; tables it did not write lose all of its rows.
    for (const table of importedTablesChildrenFirst) {
      const write = all.find(({ spec }) => spec.table === table);
      const removed = write ? await removeStale(tx, write.spec, write.rows as never[], record.name) : await removeAllOf(tx, table, record.name);
      const change = changes.find((entry) => entry.table === table);
      if (change) change.removed = removed;
      else if (removed > 0) changes.push({ table, added: 0, changed: 0, unchanged: 0, removed });
    }
    await placeCamerasOnRoads(tx);
    await refreshImportedCity(tx, holds ? undefined : city);
    await relocateEntities(tx);
    return changes;
  });
}

async function dropOthersCells(tx: Queryable, importName: string): Promise<void> {
  await tx.query('DELETE FROM grid_cells WHERE import_name IS DISTINCT FROM $1', [importName]);
}

/** Removes an import and every row it wrote; the city row goes with the last import. */
export async function deleteImport(db: Database, name: string): Promise<Record<string, number> | undefined> {
  try {
    return await db.transaction(async (tx) => {
      await tx.query(noStatementTimeout);
      const [known] = await tx.query('SELECT 1 FROM imports WHERE name = $1', [name]);
      if (!known) return undefined;
      await takeCamerasOffRoads(tx);
      const removed = await removeImport(tx, name, importedTablesChildrenFirst);
      await placeCamerasOnRoads(tx);
      await refreshImportedCity(tx);
      await relocateEntities(tx);
      return removed;
    });
  } catch (error) {
    refuseWhenReferenced(error, `cannot remove "${name}": its rows`);
  }
}
