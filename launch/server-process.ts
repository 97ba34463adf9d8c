import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port free now on 127.0.0.1, for a process that must be told its port before it starts (the simulators must know it too). */
export async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  return port;
}

/**
 * Node's arguments for the server process (`npm run serve` gives the same). V8 sizes its heap by how
 * fast garbage comes: at 1,340 OsmAnd requests/s its defaults took the server from ~200 to ~315 MB,
 * most of it garbage between collections. A heap grown 10 % past what is live and a young
 * generation of at most 2 × 8 MB keep RSS within ~15–18 % of unloaded (151 → 176 MB) for p99
 * 1,354 against 1,306 ms and /healthz p99 253 against 162 ms (npm run load, PostgreSQL; README, Operations).
 */
export const serverNodeArgs = ['--max-semi-space-size=8', '--heap-growing-percent=10', '--import', 'tsx', 'server/main.ts'];

/** The server as its own process (server/main.ts), its output the launcher's own. */
export function spawnServer(env: NodeJS.ProcessEnv, args: string[]): ChildProcess {
  return spawn(process.execPath, [...serverNodeArgs, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** Resolves once the server answers /readyz with 200; rejects if it exits first. */
export async function serverReady(child: ChildProcess, url: string): Promise<void> {
  const readyz = new URL('/readyz', url);
  while (child.exitCode === null && child.signalCode === null) {
    const answered = await fetch(readyz).then(
      (response) => response.status === 200,
      () => false,
    );
    if (answered) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the server stopped before it was ready (${child.exitCode ?? child.signalCode}); its reason is printed above`);
}
