// For tests and the load tool: free ports, and a TCP proxy that can cut every connection through
// it, as a failing network or a restarting database does, and refuse new ones until restored.
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';

/** A port free now on 127.0.0.1, for a process that must be told its port before it starts. */
export { freePort } from '../launch/index.ts';

export async function startTcpProxy(targetHost: string, targetPort: number) {
  const open = new Set<Socket>();
  let cut = false;
  const server = createServer((client) => {
    if (cut) return void client.destroy();
    const upstream = connect(targetPort, targetHost);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
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
    /** Drops every connection and refuses new ones. */
    cut(): void {
      cut = true;
      for (const socket of open) socket.destroy();
    },
    restore(): void {
      cut = false;
    },
    close: () => new Promise<void>((resolve) => (server.close(() => resolve()), open.forEach((socket) => socket.destroy()))),
  };
}
