// Writing an imported city: each table's rows upserted under the import's name, so importing the
// same files again changes nothing, importing changed files changes only what changed, and
// removing the import removes exactly its rows. Set-based (unnest), in the caller's transaction.
import { toColumns } from './columns.ts';
import type { Queryable } from './database.ts';

export type ImportColumnType = 'text' | 'integer' | 'smallint' | 'real' | 'boolean' | 'date' | 'geometry';

/** One table an import writes: its key, and each column's SQL type and where its value comes from. */
export interface ImportTable<Row> {
  table: string;
  key: string[];
  /** Every column but `import_name`, key columns included; a geometry is GeoJSON text in WGS-84. */
  columns: [name: string, type: ImportColumnType, value: (row: Row) => unknown][];
}

/** What an import did to one table. */
export interface TableChange {
  table: string;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** A key the import would write that another import (or the generated city) already owns. */
export class ImportConflictError extends Error {
  override name = 'ImportConflictError';
}

const rowsPerStatement = 5_000;
const sqlType = (type: ImportColumnType) => (type === 'geometry' ? 'text' : type);
const valueSql = (name: string, type: ImportColumnType) => (type === 'geometry' ? `ST_SetSRID(ST_GeomFromGeoJSON(input.${name}), 4326)` : `input.${name}`);

/**
 * Inserts the rows that are new, updates the ones that differ, leaves the same ones untouched.
 * Refuses (ImportConflictError) a key another import or the generated city owns.
 */
export async function upsertImported<Row>(tx: Queryable, spec: ImportTable<Row>, rows: readonly Row[], importName: string): Promise<Omit<TableChange, 'removed'>> {
  const names = spec.columns.map(([name]) => name);
  const input = `unnest(${spec.columns.map(([, type], i) => `$${i + 1}::${sqlType(type)}[]`).join(', ')}) AS input(${names.join(', ')})`;
  const nameParameter = `$${spec.columns.length + 1}`;
  const keyMatch = spec.key.map((key) => `t.${key} = input.${key}`).join(' AND ');
  const values = spec.columns.filter(([name]) => !spec.key.includes(name));
  const update = values.map(([name]) => `${name} = excluded.${name}`).join(', ');
  const differs = values.length === 0 ? 'false' : `(${values.map(([name]) => `t.${name}`).join(', ')}) IS DISTINCT FROM (${values.map(([name]) => `excluded.${name}`).join(', ')})`;
  let [added, changed] = [0, 0];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const parameters = [...toColumns(rows.slice(start, start + rowsPerStatement), ...spec.columns.map(([, , value]) => value)), importName];
    const owned = await tx.query<{ key: string; owner: string | null }>(
      `SELECT concat_ws(' / ', ${spec.key.map((key) => `t.${key}::text`).join(', ')}) AS key, t.import_name AS owner
       FROM ${spec.table} t JOIN ${input} ON ${keyMatch} WHERE t.import_name IS DISTINCT FROM ${nameParameter} LIMIT 3`,
      parameters,
    );
    if (owned.length > 0) {
      const owners = owned.map((row) => `${row.key} (${row.owner ? `import "${row.owner}"` : 'the generated city'})`).join(', ');
      throw new ImportConflictError(`${spec.table}: ${owners} already belong to another source; give this import different ids, or remove the other with npm run import -- --remove <name>`);
    }
    const written = await tx.query<{ added: number | string; changed: number | string }>(
      `WITH written AS (
         INSERT INTO ${spec.table} AS t (${names.join(', ')}, import_name)
         SELECT ${spec.columns.map(([name, type]) => valueSql(name, type)).join(', ')}, ${nameParameter} FROM ${input}
         ON CONFLICT (${spec.key.join(', ')}) DO ${values.length === 0 ? 'NOTHING' : `UPDATE SET ${update} WHERE ${differs}`}
         RETURNING (xmax = 0) AS inserted
       )
       SELECT count(*) FILTER (WHERE inserted) AS added, count(*) FILTER (WHERE NOT inserted) AS changed FROM written`,
      parameters,
    );
    added += Number(written[0]!.added);
    changed += Number(written[0]!.changed);
  }
  return { table: spec.table, added, changed, unchanged: rows.length - added - changed };
}

/** Deletes this import's rows of the table that the import no longer has (children before parents: the caller's order). */
export async function removeStale<Row>(tx: Queryable, spec: ImportTable<Row>, rows: readonly Row[], importName: string): Promise<number> {
  const keyColumns = spec.key.map((key) => spec.columns.find(([name]) => name === key)!);
  // An anti-join the planner hashes: `NOT IN (SELECT … unnest(…))` ran the unnest again per row
  // (10,000 road segments: over 11 minutes).
  const kept = `unnest(${keyColumns.map(([, type], i) => `$${i + 2}::${sqlType(type)}[]`).join(', ')}) AS kept(${spec.key.join(', ')})`;
  const deleted = await tx.query(
    `DELETE FROM ${spec.table} t WHERE t.import_name = $1 AND NOT EXISTS (SELECT 1 FROM ${kept} WHERE ${spec.key.map((key) => `kept.${key} = t.${key}`).join(' AND ')}) RETURNING 1`,
    [importName, ...toColumns(rows, ...keyColumns.map(([, , value]) => value))],
  );
  return deleted.length;
}

/** Deletes every row of the table the import wrote; how many. */
export async function removeAllOf(tx: Queryable, table: string, importName: string): Promise<number> {
  return (await tx.query(`DELETE FROM ${table} WHERE import_name = $1 RETURNING 1`, [importName])).length;
}

/**
 * Removes every row an import wrote, children first, then its record. A row of live history that
 * still refers to one of them (an incident in a district, a bus's progress on a route) stops it
 * with the database's own message, and nothing is removed.
 */
export async function removeImport(tx: Queryable, importName: string, tablesChildrenFirst: readonly string[]): Promise<Record<string, number>> {
  const removed: Record<string, number> = {};
  for (const table of tablesChildrenFirst) {
    const rows = await removeAllOf(tx, table, importName);
    if (rows > 0) removed[table] = rows;
  }
  await tx.query('DELETE FROM imports WHERE name = $1', [importName]);
  return removed;
}

export interface ImportRecord {
  name: string;
  kind: string;
  files: { path: string; bytes: number; sha256: string }[];
  crs: string;
  summary: unknown;
}

/** Records the import (before its rows: they refer to it). */
export async function recordImport(tx: Queryable, record: ImportRecord): Promise<void> {
  await tx.query(
    `INSERT INTO imports (name, kind, files, crs, summary) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, files = excluded.files, crs = excluded.crs, summary = excluded.summary, imported_at = now()`,
    [record.name, record.kind, JSON.stringify(record.files), record.crs, JSON.stringify(record.summary)],
  );
}

export async function listImports(db: Queryable): Promise<(ImportRecord & { importedAt: string })[]> {
  return db.query(`SELECT name, kind, files, crs, summary, imported_at::text AS "importedAt" FROM imports ORDER BY imported_at`);
}
