// `npm start` on a fresh data directory (cold: create the database, migrate, load Karamay) and
// again on the same directory (warm: the baseline, city already loaded), timed to the ready line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function timeToReady(dataDir: string): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    env: { ...process.env, PORT: '0', OSMAND_PORT: '0', DATA_DIR: dataDir, LOG_FORMAT: 'json', DATABASE_URL: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('onescreen is ready')) {
        resolve(performance.now() - started);
        process.kill(-child.pid!, 'SIGINT');
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
}

export async function benchColdStart(): Promise<string[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-bench-'));
  try {
    const cold = await timeToReady(dataDir);
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // let the first process release the data directory
    const warm = await timeToReady(dataDir);
    return [`npm start to ready, embedded Karamay: cold (fresh DATA_DIR) ${(cold / 1000).toFixed(1)} s; warm (city already loaded, baseline) ${(warm / 1000).toFixed(1)} s`];
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
