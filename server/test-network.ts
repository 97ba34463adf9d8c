// For tests and the load tool: free ports, and a TCP proxy that can cut every connection through
// it, as a failing network or a restarting database does, and refuse new ones until restored, or
// throttle it, as a slow link does.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { Transform } from 'node:stream';

/** A port free now on 127.0.0.1, for a process that must be told its port before it starts. */
export { freePort } from '../launch/index.ts';

/**
 * Passes bytes on at most `rate()` bytes a second (unlimited while undefined), in slices of a
 * tenth of a second's worth. Holding a slice back holds back the stream feeding it (pipe's
 * backpressure): the sender sees a slow link, not a proxy that buffers for it.
 */
function throttled(rate: () => number | undefined): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const pass = (rest: Buffer): void => {
        const bytesPerS = rate();
        if (bytesPerS === undefined) return void done(null, rest);
        const slice = rest.subarray(0, Math.max(1, Math.floor(bytesPerS / 10)));
        this.push(slice);
        const left = rest.subarray(slice.length);
        setTimeout(() => (left.length > 0 ? pass(left) : done()), (1_000 * slice.length) / bytesPerS);
      };
      pass(chunk);
    },
  });
}

/**
 * A proxy to `targetHost`. With several ports, as a load balancer fails over: each new connection
 * goes to the first that accepts it (a node that died refuses, and the next takes its clients).
 */
export async function startTcpProxy(targetHost: string, ...targetPorts: [number, ...number[]]) {
  const open = new Set<Socket>();
  let cut = false;
  let accepted = 0;
  let bytesPerS: number | undefined;
  const rate = () => bytesPerS;
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    accepted += 1;
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => {});
    client.pause();
    const tryPort = (i: number): void => {
      if (i === targetPorts.length) return void client.destroy();
      const upstream = connect(targetPorts[i]!, targetHost);
      upstream.once('error', () => tryPort(i + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => {});
        if (client.destroyed || cut) return void upstream.destroy();
        open.add(upstream);
        upstream.on('close', () => open.delete(upstream));
        client.pipe(throttled(rate)).pipe(upstream).pipe(throttled(rate)).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
    };
    tryPort(0);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    port,
    /** The URL with its host and port swapped for the proxy's. */
    through(url: string): string {
      const proxied = new URL(url);
      proxied.hostname = '127.0.0.1';
      proxied.port = String(port);
      return proxied.toString();
    },
    /** How many connections it has let through so far. */
    accepted: () => accepted,
    /** Drops every connection and refuses new ones. */
    cut(): void {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore(): void {
      cut = false;
    },
    /** Every connection through it, open or new, passes at most this many bytes a second each way; undefined lifts it. */
    throttle(rate: number | undefined): void {
      bytesPerS = rate;
    },
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), open.forEach((socket) => socket.destroy()))),
  };
}
