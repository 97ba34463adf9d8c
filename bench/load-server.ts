// The server under load runs as its own process, as `npm start` would: the load generator's work
// never shares its event loop. The database it uses is fresh and removed afterwards.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { freePort } from '../server/test-network.ts';
import { prepareCity, readLaunchSettings } from '../launch/index.ts';
import { startServerProcess } from '../server/test-process.ts';

/** Resident memory of a process, MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

/**
 * A server process on fresh data (PostgreSQL when DATABASE_URL is set, embedded otherwise), with
 * `city` (a profile; Karamay unless told). `reachDatabase` rewrites the database URL the server
 * (not the city load) is given: a proxy.
 */
export async function startLoadServer(env: NodeJS.ProcessEnv, log: (line: string) => void, { reachDatabase = (url: string) => url, city = 'karamay' } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-load-'));
  // A scratch database of its own on DATABASE_URL's server; the data directory otherwise.
  const database = await testBackends().at(-1)!.openSettings({ dataDir });
  const databaseUrl = database.databaseUrl ?? '';
  const backend = databaseUrl ? 'PostgreSQL' : 'embedded';
  const [port, osmandPort] = [await freePort(), await freePort()];
  log(`loading ${city} into the ${backend} database…`);
  await prepareCity(readLaunchSettings({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, SIMULATE: '0', CITY: city }), log);
  log('starting the server…');
  const { child, output } = await startServerProcess(
    { ...env, CITY: city, DATA_DIR: dataDir, DATABASE_URL: databaseUrl && reachDatabase(databaseUrl), PORT: String(port), OSMAND_PORT: String(osmandPort), HOST: '127.0.0.1' },
    ['--demo'],
  ).catch(async (error: unknown) => {
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  const others: ChildProcess[] = [];
  const otherDirs: string[] = [];
  return {
    /** Starts another node on the same database (its own ports and directory): `env` should set NATS_URL. */
    async addNode(nodeEnv: NodeJS.ProcessEnv) {
      const [nodePort, nodeOsmandPort] = [await freePort(), await freePort()];
      otherDirs.push(mkdtempSync(join(tmpdir(), 'onescreen-load-node-')));
      const node = await startServerProcess(
        { ...nodeEnv, CITY: city, DATA_DIR: otherDirs.at(-1), DATABASE_URL: databaseUrl, PORT: String(nodePort), OSMAND_PORT: String(nodeOsmandPort), HOST: '127.0.0.1' },
        ['--demo'],
      );
      others.push(node.child);
      return { url: `http://127.0.0.1:${nodePort}`, osmandUrl: `http://127.0.0.1:${nodeOsmandPort}/` };
    },
    url: `http://127.0.0.1:${port}`,
    osmandUrl: `http://127.0.0.1:${osmandPort}/`,
    backend,
    rssMb: () => rssMb(child.pid!),
    output,
    /** SIGTERM (apply what was accepted, close), then the database for checking. */
    async stop(): Promise<Database> {
      for (const process of [child, ...others]) {
        process.kill('SIGTERM');
        if (process.exitCode === null) await once(process, 'exit');
      }
      return databaseUrl ? openDatabase({ backend: 'server', url: databaseUrl }) : openDatabase({ backend: 'embedded', dataDir });
    },
    async remove(): Promise<void> {
      for (const process of [child, ...others]) {
        if (process.exitCode === null && process.signalCode === null) {
          process.kill('SIGKILL');
          await once(process, 'exit');
        }
      }
      await database.dispose();
      for (const dir of [dataDir, ...otherDirs]) rmSync(dir, { recursive: true, force: true });
    },
  };
}
