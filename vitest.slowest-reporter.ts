// Prints, at the end of a run, how many tests ran and how many expect calls they made (counted by
// vitest.count-expects.ts), and the ten slowest test files, so the next slowdown is seen when it lands.
import type { Reporter, TestModule } from 'vitest/node';

const shown = 10;

export default class SlowestFilesReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const tests = testModules.flatMap((module) => [...module.children.allTests()]);
    const expectCalls = tests.reduce((sum, test) => sum + (test.meta().expectCalls ?? 0), 0);
    process.stdout.write(`\n${tests.length} tests made ${expectCalls} expect calls\n`);
    const rows = testModules
      .map((module) => ({ file: module.relativeModuleId, ms: module.diagnostic().duration }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, shown);
    if (rows.length < 2) return;
    const lines = rows.map((row) => `${(row.ms / 1000).toFixed(1).padStart(7)} s  ${row.file}`);
    process.stdout.write(`\nslowest test files:\n${lines.join('\n')}\n`);
  }
}
