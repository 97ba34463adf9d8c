import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../geo/index.ts';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { createLogger, parseConfig, startServer } from './index.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'onescreen-stop-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const stop = generateCity(cityProfiles.karamay).busStops[3]!;

describe('stopping the server', () => {
  it('writes what it accepted before the database closes, and refuses what comes after', async () => {
    await testBackends()[0]!.openSettings({ dataDir, withCity: true });
    // A minute-long tick: the fix can only reach the database through the drain on stop.
    const config = parseConfig({ PORT: '0', OSMAND_PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, TICK_MS: '60000' });
    const server = await startServer(config, createLogger({ level: 'error', format: 'json', write: () => {} }));
    const taken = await fetch(`http://127.0.0.1:${server.osmandPort}/?id=pc-0007&lat=${stop.point[1]}&lon=${stop.point[0]}&timestamp=${Math.floor(Date.now() / 1000)}`, { method: 'POST' });
    expect(taken.status).toBe(200);
    const stopping = server.close();
    const late = await fetch(`http://127.0.0.1:${server.osmandPort}/?id=pc-0008&lat=${stop.point[1]}&lon=${stop.point[0]}`, { method: 'POST' }).catch(() => undefined);
    await stopping;
    expect(late === undefined || late.status === 503).toBe(true);

    const db = await openDatabase({ backend: 'embedded', dataDir });
    try {
      const history = await db.query<{ entity_id: string }>('SELECT entity_id FROM position_history');
      expect(history).toEqual([{ entity_id: 'pc-0007' }]);
      const [live] = await db.query<{ lon: number; lat: number }>(`SELECT ST_X(geom) AS lon, ST_Y(geom) AS lat FROM entities WHERE id = 'pc-0007'`);
      expect([live!.lon, live!.lat]).toEqual([stop.point[0], stop.point[1]]);
    } finally {
      await db.close();
    }
  });
});
