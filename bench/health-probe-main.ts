// For bench/load-watch.ts, in a process of its own: the load tool's thread is busy sending and
// polling, and a /healthz answer timed there waited on that too (0.5–7 s p99 while the server's
// event loop lagged at most 0.5 s). Asks the URL given as an argument every 250 ms, the next when
// the last is answered, and writes each answer's time in ms on a line of stdout.
import { argv } from 'node:process';

const url = argv[2]!;
process.stdout.on('error', () => process.exit(0)); // the load tool gone
for (;;) {
  const asked = performance.now();
  await fetch(url).then((response) => response.arrayBuffer(), () => undefined);
  process.stdout.write(`${(performance.now() - asked).toFixed(1)}\n`);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
