import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import { entityKinds, type TestBackend } from '../geo/index.ts';
import { FrameReader, type ClientToServerEvents, type FrameRow, type LiveLayer, type PositionFrame, type ServerToClientEvents } from '../streams/index.ts';
import { parseConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './start-server.ts';

/** A real server on a free port with a fresh database, for integration and browser tests. */
export async function startTestServer(backend: Pick<TestBackend, 'openSettings'>, env: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-test-'));
  const settings = await backend.openSettings();
  // Kept, not printed: a failing test can show what the server said.
  const logLines: string[] = [];
  const log = createLogger({ level: 'info', format: 'json', write: (line) => void logLines.push(line) });
  const config = parseConfig({ PORT: '0', OSMAND_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: settings.databaseUrl, ...env });
  let server: RunningServer;
  try {
    server = await startServer(config, log);
  } catch (error) {
    await settings.dispose();
    throw error;
  }
  return {
    url: server.url,
    osmandUrl: `http://127.0.0.1:${server.osmandPort}/`,
    db: server.db,
    logLines,
    async close() {
      await server.close();
      await settings.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
export type TestServer = Awaited<ReturnType<typeof startTestServer>>;

/** A real Socket.IO client subscribed to layers, reading position frames as the wall would. */
export async function watchLive(url: string, layers: readonly LiveLayer[] = entityKinds) {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url, { transports: ['websocket'], reconnection: false });
  const reader = new FrameReader();
  /** The latest row per entity id. */
  const latest = new Map<string, FrameRow>();
  const frames: PositionFrame[] = [];
  socket.on('positions', (frame) => {
    frames.push(frame);
    const rows = reader.read(frame);
    if (rows === 'gap') throw new Error(`position frame ${frame.seq} came after a gap`);
    for (const row of rows) latest.set(row.id, row);
  });
  const result = await socket.timeout(10_000).emitWithAck('subscribe', [...layers]);
  if ('error' in result) throw new Error(result.error);
  return {
    socket,
    latest,
    frames,
    /** The entity's row once `ready` holds for it, or undefined after `timeoutMs`. */
    async waitFor(id: string, ready: (row: FrameRow) => boolean = (row) => row.fixTime !== null, timeoutMs = 10_000) {
      for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 50))) {
        const row = latest.get(id);
        if (row && ready(row)) return row;
      }
      return undefined;
    },
  };
}
