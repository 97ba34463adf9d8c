import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { postgis } from '@electric-sql/pglite-postgis';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedTemplate } from './embedded-template.ts';
import { openEmbeddedThread } from './embedded-thread.ts';

describe('a new embedded database started from a template (npm install makes one)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-template-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('holds what the template held, keeps what is written after, and an existing directory is never started over', async () => {
    // A template of our own, with a mark in it that a database made from nothing would lack; made
    // from npm install's where there is one (from nothing, PostGIS alone takes 14 s).
    const installed = embeddedTemplate(join(dir, 'fresh'));
    const maker = await PGlite.create({ extensions: { postgis }, ...(installed && { loadDataDir: new Blob([readFileSync(installed)]) }) });
    await maker.exec('CREATE EXTENSION IF NOT EXISTS postgis; CREATE TABLE made_from_template (n int); INSERT INTO made_from_template VALUES (7)');
    const template = join(dir, 'template.tar.gz');
    writeFileSync(template, Buffer.from(await (await maker.dumpDataDir('gzip')).arrayBuffer()));
    await maker.close();

    const dataDir = join(dir, 'data');
    const db = await openEmbeddedThread(dataDir, template);
    expect(await db.query('SELECT n FROM made_from_template')).toEqual([{ n: 7 }]);
    expect(await db.query("SELECT ST_AsText(ST_MakePoint(84.87, 45.59)) AS p")).toEqual([{ p: 'POINT(84.87 45.59)' }]);
    await db.exec('INSERT INTO made_from_template VALUES (8)');
    await db.close();

    // Opened again as a server start would: its own data, not the template's again.
    expect(embeddedTemplate(dataDir), 'a directory that holds a database').toBeUndefined();
    const again = await openEmbeddedThread(dataDir);
    expect(await again.query('SELECT n FROM made_from_template ORDER BY n')).toEqual([{ n: 7 }, { n: 8 }]);
    await again.close();
  });
});
