// A new embedded database starts from a copy made once by `npm install` (its `prepare` step):
// PostgreSQL's initdb and CREATE EXTENSION postgis in WASM took 14 s of a cold `npm start` on the
// development machine; loading the 6-MB copy takes 3 s. Kept per PGlite version, beside the
// dependencies it was made with; without it a database is made from nothing, as before.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';

const modules = fileURLToPath(new URL('../node_modules/', import.meta.url));

function templateFile(): string | undefined {
  try {
    const { version } = JSON.parse(readFileSync(join(modules, '@electric-sql/pglite/package.json'), 'utf8')) as { version: string };
    return join(modules, '.cache/onescreen', `embedded-postgis-${version}.tar.gz`);
  } catch {
    return undefined; // installed some other way: no place for a template
  }
}

/** The template to start a new data directory from, if `npm install` made one. */
export function embeddedTemplate(dataDir: string): string | undefined {
  const file = templateFile();
  return file && existsSync(file) && !existsSync(join(dataDir, 'PG_VERSION')) ? file : undefined;
}

/** Makes the template (initdb and PostGIS, in memory) and writes it where `embeddedTemplate` looks. */
export async function buildEmbeddedTemplate(): Promise<string> {
  const file = templateFile();
  if (!file) throw new Error(`no node_modules at ${modules}: run npm install in the project`);
  const lite = await PGlite.create({ extensions: { postgis } });
  try {
    await lite.exec('CREATE EXTENSION IF NOT EXISTS postgis');
    const dump = await lite.dumpDataDir('gzip');
    mkdirSync(dirname(file), { recursive: true });
    // Written whole or not at all: a half-written template would break every new database.
    writeFileSync(`${file}.partial`, Buffer.from(await dump.arrayBuffer()));
    renameSync(`${file}.partial`, file);
    return file;
  } finally {
    await lite.close();
  }
}
