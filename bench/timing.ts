// What the benchmarks time with: repeated runs of one async step, and their percentiles.

export const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil((p / 100) * values.length) - 1)]!;
export const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Runs `run` `times` times, one after the other; the latency of each, ms. */
export async function timed(run: () => Promise<unknown>, times: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await run();
    latencies.push(performance.now() - started);
  }
  return latencies;
}

/**
 * Latencies counted in 1 ms buckets up to 10 minutes: the same percentiles as `percentile` (to the
 * ms) in constant memory. A 5-minute load run's screens see ~100 million sightings; kept in an
 * array and sorted, they ran the screens' process out of memory.
 */
export class LatencyHistogram {
  private readonly buckets = new Float64Array(600_001);
  count = 0;
  add(ms: number): void {
    this.buckets[Math.min(this.buckets.length - 1, Math.max(0, Math.round(ms)))]! += 1;
    this.count += 1;
  }
  percentile(p: number): number | null {
    if (this.count === 0) return null;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let ms = 0; ms < this.buckets.length; ms++) if ((seen += this.buckets[ms]!) >= rank) return ms;
    return this.buckets.length - 1;
  }
}
