// For tests and the load tool: `npm start`'s entry point as its own process, as an operator runs it.
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, serverNodeArgs } from '../launch/index.ts';

/** Starts server/main.ts with `env` on top of this process's; resolves once it says it is ready. */
export async function startServerProcess(env: NodeJS.ProcessEnv, args: string[] = [], timeoutMs = 180_000): Promise<{ child: ChildProcess; output: () => string }> {
  // CPU_PROF_DIR: each server process writes a CPU profile there as it stops (Node refuses --cpu-prof in NODE_OPTIONS).
  const profile = process.env.CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, ...serverNodeArgs, ...args], {
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  for (const started = Date.now(); !output.includes('onescreen is ready'); await new Promise((resolve) => setTimeout(resolve, 50))) {
    if (child.exitCode !== null || Date.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output}`);
    }
  }
  return { child, output: () => output };
}

/**
 * Starts server/main.ts on two free ports (PORT, OSMAND_PORT) and answers them. A port found free
 * can be taken before the server binds it (an outgoing connection's ephemeral port, seen on CI):
 * then it starts again on two others.
 */
export async function startServerOnFreePorts(env: NodeJS.ProcessEnv, attempts = 3): Promise<Awaited<ReturnType<typeof startServerProcess>> & { port: number; osmandPort: number }> {
  const [port, osmandPort] = [await freePort(), await freePort()];
  try {
    return { ...(await startServerProcess({ ...env, PORT: String(port), OSMAND_PORT: String(osmandPort) })), port, osmandPort };
  } catch (error) {
    if (attempts > 1 && String(error).includes('is already in use')) return startServerOnFreePorts(env, attempts - 1);
    throw error;
  }
}
