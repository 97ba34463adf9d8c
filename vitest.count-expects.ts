// Records how many expect calls each test made, for the run's summary (vitest.slowest-reporter.ts):
// a change that drops assertions shows as a lower count, not only as fewer tests.
import { afterEach, expect } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    expectCalls?: number;
  }
}

afterEach((context) => {
  context.task.meta.expectCalls = expect.getState().assertionCalls;
});
