export interface StepProgress {
  step: string;
  done: number;
  total: number;
}

const barWidth = 30;

/**
 * Reports long work: a redrawn progress bar on a terminal, and one plain line per step anywhere
 * else (CI, a service manager, a log file).
 */
export function createProgressReporter(title: string, say: (line: string) => void, terminal: NodeJS.WriteStream | undefined = process.stderr.isTTY ? process.stderr : undefined) {
  return {
    update({ step, done, total }: StepProgress): void {
      if (!terminal) return say(`${title}: ${step} (${done}/${total})`);
      const filled = total > 0 ? Math.round((barWidth * done) / total) : 0;
      const percent = total > 0 ? Math.round((100 * done) / total) : 0;
      terminal.write(`\r${title} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${String(percent).padStart(3)}% ${step.padEnd(24)}`);
    },
    finish(message: string): void {
      if (terminal) terminal.write('\n');
      say(message);
    },
  };
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * Reports reading files: per file, a bar with bytes read, the rate and the time left on a
 * terminal; elsewhere one line when a file is done. A new file starts a new line.
 */
export function createFileProgress(say: (line: string) => void, terminal: NodeJS.WriteStream | undefined = process.stderr.isTTY ? process.stderr : undefined, now = () => performance.now()) {
  let current: { file: string; startedAt: number; drawnAt: number } | undefined;
  const line = (file: string, done: number, total: number, elapsedS: number) => {
    const rate = elapsedS > 0 ? done / elapsedS : 0;
    const left = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
    const filled = total > 0 ? Math.round((barWidth * Math.min(done, total)) / total) : barWidth;
    return `${file.padEnd(20)} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${megabytes(done)} of ${megabytes(total)}, ${megabytes(rate)}/s, ${Math.ceil(left)} s left`;
  };
  const update = (file: string, done: number, total: number): void => {
    const at = now();
    if (current?.file !== file) {
      if (current && terminal) terminal.write('\n');
      current = { file, startedAt: at, drawnAt: -Infinity };
    }
    const elapsedS = (at - current.startedAt) / 1000;
    const finished = done >= total;
    // A terminal redraws at most ten times a second; a log gets the finished file only.
    if (terminal && (finished || at - current.drawnAt >= 100)) {
      terminal.write(`\r${line(file, done, total, elapsedS)}`);
      current.drawnAt = at;
    } else if (!terminal && finished) say(`read ${file}: ${megabytes(done)} in ${elapsedS.toFixed(1)} s`);
  };
  /** Ends the last file's line. */
  const finish = () => {
    if (current && terminal) terminal.write('\n');
    current = undefined;
  };
  return { update, finish };
}
