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
