// `npm test`: the node and browser projects as two vitest processes at once, so the database and
// server files use the CPU the browser files leave while they wait on the page and the server.
// Vitest runs projects with different worker counts one after the other, and the browser files
// must run one at a time (two at once each took two to three times as long). The node files run
// at a lower CPU priority (nice 10): the browser files' timing is what a busy CPU would stretch.
// Measured on 2 cores: 286 s both at once, against 176 s + 228 s one after the other.
//
//   tsx vitest.tiers.ts [--summary=<file>] [vitest arguments…]
//
// Vitest arguments (a file filter, -t …) go to both. The set-up both share is made here once.
// Ends with "N passed, N failed"; --summary also writes the counts as JSON (for CI).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromiumPath, prepareClient, prepareDatabases, removeClient } from './vitest.global-setup.ts';
import { formatSummary, mergeSummaries, summaryFileVariable, type RunSummary } from './vitest.slowest-reporter.ts';

// vitest's command, as its package names it (the package exports no path to it).
const vitestPackage = createRequire(import.meta.url).resolve('vitest/package.json');
const vitest = join(dirname(vitestPackage), (JSON.parse(readFileSync(vitestPackage, 'utf8')) as { bin: { vitest: string } }).bin.vitest);

// Stopped (Ctrl-C, a CI time-out), the runner passes the signal on, waits for both vitest
// processes to end, and removes the run's set-up (a test stopped midway may leave its own
// server's directory in the system's temporary directory, as under vitest alone).
const running = new Set<ChildProcess>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => running.forEach((child) => child.kill(signal)));

/** Runs one project in its own vitest process, its output passed on a line at a time; answers its summary. */
function runTier(project: string, nice: boolean, args: string[], summaryFile: string): Promise<RunSummary> {
  const command = [process.execPath, vitest, 'run', '--project', project, '--passWithNoTests', ...args];
  const [file, ...rest] = nice ? ['nice', '-n', '10', ...command] : command;
  // Piped, vitest sees no terminal: colours only when this process has one.
  const env = { ...process.env, [summaryFileVariable]: summaryFile, ...(process.stdout.isTTY && { FORCE_COLOR: '1' }) };
  const child = spawn(file!, rest, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const forward = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
    let partial = '';
    from.setEncoding('utf8');
    from.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      if (lines.length) to.write(`${lines.join('\n')}\n`);
    });
    from.on('end', () => partial && to.write(`${partial}\n`));
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      running.delete(child);
      const summary: RunSummary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : { passed: 0, failed: 0, expectCalls: 0, files: [] };
      // A tier that failed without a failing test (a set-up error, an unhandled error) counts as one failure.
      if (code !== 0 && summary.failed === 0) {
        process.stderr.write(`\nthe ${project} tests ended (${signal ?? `exit code ${code}`}) without a failing test: see the errors above\n`);
        summary.failed = 1;
      }
      resolve(summary);
    });
  });
}

async function main() {
  const summaryArg = process.argv.slice(2).find((arg) => arg.startsWith('--summary='));
  const args = process.argv.slice(2).filter((arg) => arg !== summaryArg);
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'onescreen-tiers-'));
  const run = (project: string, nice: boolean) => runTier(project, nice, args, join(dir, `${project}.json`));
  // The node files need only the databases: they start while the client is still building.
  const databases = prepareDatabases();
  const client = existsSync(chromiumPath) ? prepareClient() : Promise.resolve(undefined);
  const announce = (files: string) => () => void process.stdout.write(`test set-up ready for the ${files} files: ${seconds(started)} s\n`);
  const tiers = [
    databases.then(announce('node')).then(() => run('node', true)),
    Promise.all([databases, client]).then(announce('browser')).then(() => run('browser', false)),
  ];
  let summary: RunSummary;
  try {
    summary = mergeSummaries(await Promise.all(tiers));
  } finally {
    await Promise.allSettled([databases.then((remove) => remove()), removeClient()]);
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(formatSummary(summary));
  process.stdout.write(`\nnpm test took ${seconds(started)} s\n${summary.passed} passed, ${summary.failed} failed\n`);
  if (summaryArg) writeFileSync(summaryArg.slice('--summary='.length), JSON.stringify(summary));
  process.exitCode = summary.failed > 0 ? 1 : 0;
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(0);

await main();
