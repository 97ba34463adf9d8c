// The server under load runs as its own process, as `npm start` would: the load generator's work
// never shares its event loop. The database it uses is fresh and removed afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openDatabase, type Database } from '../geo/index.ts';
import { freePort } from '../server/test-network.ts';

/** Resident memory of a process, MB (Linux). */
function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return line ? Number(line.split(/\s+/)[1]) / 1024 : 0;
}

/** A server process on fresh data (PostgreSQL when DATABASE_URL is set, embedded otherwise). */
export async function startLoadServer(env: NodeJS.ProcessEnv, log: (line: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-load-'));
  const adminUrl = process.env.DATABASE_URL;
  const dbName = `onescreen_load_${process.pid}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(sql).finally(() => client.end());
  };
  let databaseUrl = '';
  if (adminUrl) {
    await admin(`CREATE DATABASE ${dbName}`);
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const [port, osmandPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--demo'], {
    env: { ...process.env, ...env, DATA_DIR: dataDir, DATABASE_URL: databaseUrl, PORT: String(port), OSMAND_PORT: String(osmandPort), HOST: '127.0.0.1', SIMULATE: '0', LOG_FORMAT: 'json', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  log(`starting the server on the ${adminUrl ? 'PostgreSQL' : 'embedded'} database (loading Karamay)…`);
  for (const started = Date.now(); ; await new Promise((resolve) => setTimeout(resolve, 200))) {
    if (child.exitCode !== null || Date.now() - started > 180_000) throw new Error(`the server did not start:\n${output}`);
    const ready = await fetch(`${url}/readyz`).then((response) => response.ok, () => false);
    if (ready) break;
  }
  const backend = adminUrl ? 'PostgreSQL' : 'embedded';
  return {
    url,
    osmandUrl: `http://127.0.0.1:${osmandPort}/`,
    backend,
    rssMb: () => rssMb(child.pid!),
    output: () => output,
    /** SIGTERM (apply what was accepted, close), then the database for checking. */
    async stop(): Promise<Database> {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
      return databaseUrl ? openDatabase({ backend: 'server', url: databaseUrl }) : openDatabase({ backend: 'embedded', dataDir });
    },
    async remove(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'exit');
      }
      if (adminUrl) await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export type LoadServer = Awaited<ReturnType<typeof startLoadServer>>;
