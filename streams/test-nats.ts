// For tests: the brokers they use (NATS with JetStream, Redis), and a NATS server of their own they can kill.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** NATS_TEST_URL (CI sets it: its absence there is a failure), or the development machines' own. */
export const natsTestUrl = process.env.NATS_TEST_URL ?? 'nats://127.0.0.1:4222';

const answers = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const probe = connectTcp(port, host, () => (probe.end(), resolve(true)));
    probe.on('error', () => resolve(false));
  });

/**
 * Whether tests of a broker run: false (said on stderr) only when its variable (`envName`, set by
 * CI, where its absence is a failure) is not set and nothing answers at `url`.
 */
export async function servicePresent(url: string, envName: string, what: string, howToStart: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  if (await answers(hostname, Number(port))) return true;
  if (process.env[envName]) throw new Error(`${envName}=${url} does not answer; ${howToStart}`);
  process.stderr.write(`\nNothing answers at ${url}: ${what} is skipped. ${howToStart}\n`);
  return false;
}

export const natsPresent = (what: string) => servicePresent(natsTestUrl, 'NATS_TEST_URL', what, 'start NATS with JetStream there: nats-server -js');

/** A stream name no other test run uses. */
export const testStreamName = () => `TEST_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;

export async function deleteStream(servers: string, stream: string): Promise<void> {
  const nc = await connect({ servers });
  try {
    await (await jetstreamManager(nc)).streams.delete(stream).catch(() => false);
  } finally {
    await nc.close();
  }
}

/**
 * A NATS server of the test's own (Debian's nats-server), with JetStream on file storage in a
 * directory of its own, that the test can kill and start again on the same port and store.
 */
export async function startOwnNats(port: number) {
  const storeDir = mkdtempSync(join(tmpdir(), 'onescreen-nats-'));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
    for (let i = 0; i < 200 && !(await answers('127.0.0.1', port)); i++) await new Promise((resolve) => setTimeout(resolve, 25));
  };
  const kill = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    kill,
    start,
    async close() {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
