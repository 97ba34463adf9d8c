// Prints, at the end of a run, how many tests ran and how many expect calls they made (counted by
// vitest.count-expects.ts), and the ten slowest test files, so the next slowdown is seen when it lands.
// Under `npm test` (vitest.tiers.ts) each tier writes its summary to a file instead, and the
// runner prints one summary for both.
import { writeFileSync } from 'node:fs';
import type { Reporter, TestModule } from 'vitest/node';

/** Where a tier run by vitest.tiers.ts leaves its summary (JSON), if set. */
export const summaryFileVariable = 'ONESCREEN_TEST_SUMMARY_FILE';

export interface RunSummary {
  passed: number;
  failed: number;
  expectCalls: number;
  files: { file: string; ms: number }[];
}

const shown = 10;

export function summarize(testModules: ReadonlyArray<TestModule>): RunSummary {
  const tests = testModules.flatMap((module) => [...module.children.allTests()]);
  return {
    passed: tests.filter((test) => test.result().state === 'passed').length,
    failed: tests.filter((test) => test.result().state === 'failed').length,
    expectCalls: tests.reduce((sum, test) => sum + (test.meta().expectCalls ?? 0), 0),
    files: testModules.map((module) => ({ file: module.relativeModuleId, ms: module.diagnostic().duration })),
  };
}

export function mergeSummaries(summaries: RunSummary[]): RunSummary {
  return {
    passed: summaries.reduce((sum, each) => sum + each.passed, 0),
    failed: summaries.reduce((sum, each) => sum + each.failed, 0),
    expectCalls: summaries.reduce((sum, each) => sum + each.expectCalls, 0),
    files: summaries.flatMap((each) => each.files),
  };
}

export function formatSummary(summary: RunSummary): string {
  const head = `\n${summary.passed + summary.failed} tests made ${summary.expectCalls} expect calls\n`;
  const rows = [...summary.files].sort((a, b) => b.ms - a.ms).slice(0, shown);
  if (rows.length < 2) return head;
  const lines = rows.map((row) => `${(row.ms / 1000).toFixed(1).padStart(7)} s  ${row.file}`);
  return `${head}\nslowest test files:\n${lines.join('\n')}\n`;
}

export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const summary = summarize(testModules);
    const file = process.env[summaryFileVariable];
    if (file) writeFileSync(file, JSON.stringify(summary));
    else process.stdout.write(formatSummary(summary));
  }
}
