import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './index.ts';

describe('parseConfig', () => {
  it('runs on the embedded database by default', () => {
    expect(parseConfig({})).toMatchObject({ port: 8080, osmandPort: 5055, dataDir: './.data', databaseUrl: undefined, gtfsRtUrls: [], tickMs: 250, logFormat: 'json' });
    expect(parseConfig({}, true).logFormat).toBe('text');
  });

  it('reads every setting, treating empty variables as unset', () => {
    const config = parseConfig({ PORT: '9000', GTFS_RT_URLS: 'http://a.example/vp.pb, http://b.example/vp.pb', DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/city', TICK_MS: '', LOG_FORMAT: 'text' });
    expect(config).toMatchObject({ port: 9000, gtfsRtUrls: ['http://a.example/vp.pb', 'http://b.example/vp.pb'], databaseUrl: 'postgres://postgres@127.0.0.1:5432/city', tickMs: 250, logFormat: 'text' });
    expect(parseConfig({ NATS_URL: 'nats://n1:4222,nats://n2:4222', DATABASE_URL: 'postgres://h/db', NATS_PARTITIONS: '16' })).toMatchObject({ natsUrl: 'nats://n1:4222,nats://n2:4222', natsPartitions: 16, natsStream: 'ONESCREEN_INGEST' });
    expect(parseConfig({ FEED_CRS: 'osmand:gcj02, gtfs-rt:bd09' }).feedCrs).toEqual({ osmand: 'gcj02', 'gtfs-rt': 'bd09', cameras: 'wgs84', open311: 'wgs84', alarms: 'wgs84' });
  });

  it.each([
    [{ PORT: 'eighty' }, /^invalid configuration: PORT="eighty": expected a whole number from 0 to 65535; fix the environment variable/],
    [{ PORT: '70000' }, /PORT="70000": expected a whole number from 0 to 65535/],
    [{ GTFS_RT_INTERVAL_MS: '10' }, /GTFS_RT_INTERVAL_MS="10": expected a whole number from 1000 to 600000/],
    [{ DATABASE_URL: 'localhost:5432' }, /DATABASE_URL="localhost:5432": expected a URL like postgres:\/\/user@host:5432\/database/],
    [{ NATS_URL: 'nats://127.0.0.1:4222' }, /NATS_URL spreads processing over nodes that share one database, and DATABASE_URL is not set/],
    [{ NATS_URL: 'nats://a:4222 b:4222', DATABASE_URL: 'postgres://h/db' }, /NATS_URL="nats:\/\/a:4222 b:4222": expected NATS servers like nats:\/\/127.0.0.1:4222, comma-separated/],
    [{ FEED_CRS: 'osmand:mars' }, /FEED_CRS="osmand:mars": expected comma-separated feed:system pairs, e.g. osmand:gcj02,gtfs-rt:bd09 \(feeds osmand, gtfs-rt, cameras, open311, alarms; systems wgs84, gcj02, bd09\)/],
  ])('stops on %o with one line naming the setting and the fix', (env, message) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('names every bad setting at once', () => {
    expect(() => parseConfig({ PORT: 'x', TICK_MS: '5' })).toThrow(/PORT="x".*; TICK_MS="5"/);
  });
});
