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
