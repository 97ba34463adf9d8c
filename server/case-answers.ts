import type { ServiceRequest } from '../geo/index.ts';
import type { CaseTick, ReportRefusal } from '../streams/index.ts';

// How long a sender of a report or an alarm waits for the tick that applies it before it is answered "accepted, on disk", ms.
export const answerWithinMs = 5_000;

/** One kind of outcome senders wait for, by the id their event carries. */
export class Outcomes<T> {
  private readonly waiting = new Map<string, ((value: T | undefined) => void)[]>();

  /**
   * The outcome for `key` once a tick settles it, or undefined after `ms`. Call before publishing:
   * a tick can apply the event before publish has resolved. `cancel` when it was not published.
   */
  wait(key: string, ms: number): { outcome: Promise<T | undefined>; cancel: () => void } {
    let done = (_value: T | undefined) => {};
    const outcome = new Promise<T | undefined>((resolve) => (done = resolve));
    const timer = setTimeout(() => finish(undefined), ms);
    const finish = (value: T | undefined) => {
      clearTimeout(timer);
      const others = (this.waiting.get(key) ?? []).filter((waiter) => waiter !== finish);
      if (others.length > 0) this.waiting.set(key, others);
      else this.waiting.delete(key);
      done(value);
    };
    this.waiting.set(key, [...(this.waiting.get(key) ?? []), finish]);
    return { outcome, cancel: () => finish(undefined) };
  }

  settle(key: string, value: T): void {
    for (const finish of this.waiting.get(key) ?? []) finish(value);
  }
}

/** Senders of reports and alarms waiting for their tick: a report's request or refusal by token, an alarm's or a call's incident by its ref. */
export class CaseAnswers {
  readonly reports = new Outcomes<ServiceRequest | ReportRefusal>();
  readonly alarms = new Outcomes<number | null>();
  readonly calls = new Outcomes<number | null>();

  settle(tick: CaseTick): void {
    for (const { token, request } of tick.reports) this.reports.settle(token, request);
    for (const { token, reason } of tick.refusedReports) this.reports.settle(token, reason);
    for (const { ref, incidentId } of tick.alarms) this.alarms.settle(ref, incidentId);
    for (const { ref, incidentId } of tick.calls) this.calls.settle(ref, incidentId);
  }
}
