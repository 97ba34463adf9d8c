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

/** The server as its own process (server/main.ts), its output the launcher's own. */
export function spawnServer(env: NodeJS.ProcessEnv, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
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
