// What history costs on disk: Karamay's fleet and cameras written through the product's own
// statements for a while (every unit at its report interval, every camera a record a minute),
// then the bytes each stored position and detector record takes with its table's indexes,
// against the rows alone (the baseline), and what the default retention holds at Karamay's rates.
import { historyBytes, historyTables, makeHistoryPartitions, persistCameraReadings, persistPositionBatch, PlaceIndex, pruneHistory, type CameraReadingRow, type Database, type PositionFix } from '../geo/index.ts';
import { openWithCity } from '../geo/test-support.ts';
import { offeredPerSecond, reportEveryMs } from '../fixtures/index.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { benchBackends, backendName, type BenchOptions, type BenchOutput } from './report.ts';
import { timed } from './timing.ts';

const city = generateCity(cityProfiles.karamay);
// Every unit at its device's report interval, as the simulators and `npm run load` have them.
const positionsPerSecond = offeredPerSecond(city.entities.map((entity) => entity.kind));
const recordsPerSecond = city.cameras.length / 60;
const retentionHours = 24; // HISTORY_RETENTION_HOURS' default

/** The bytes per row of `table` (all its partitions) with its indexes, and of its rows alone. */
async function bytesPerRow(db: Database, table: string) {
  const [row] = await db.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM ${table}`);
  const { total, heap } = await historyBytes(db, table);
  return { rows: row!.rows, withIndexes: total / row!.rows, rowsAlone: heap / row!.rows };
}

async function write(db: Database, minutes: number): Promise<void> {
  const places = new PlaceIndex();
  const start = Date.now() - minutes * 60_000;
  // In partitions, as the server keeps them (the first is made from the hour the writing starts in).
  await makeHistoryPartitions(db, retentionHours, start);
  const segments = city.roadSegments;
  for (let second = 0; second < minutes * 60; second += 5) {
    const at = start + second * 1000;
    // Every unit due in these 5 s, somewhere along a street of its own.
    const fixes: PositionFix[] = city.entities.flatMap((entity, i) => {
      const every = reportEveryMs[entity.kind]! / 1000;
      if (Math.floor(second / every) === Math.floor((second - 5) / every) && second > 0) return [];
      const [a, b] = segments[(i * 7) % segments.length]!.line as [[number, number], [number, number]];
      const along = (second % 60) / 60;
      return [{ entityId: entity.id, lon: a[0] + (b[0] - a[0]) * along, lat: a[1] + (b[1] - a[1]) * along, headingDeg: 90, speedKmh: 30, eventTime: at, receivedAt: at + 300, sourceId: 'bench' }];
    });
    await persistPositionBatch(db, fixes, places);
    if (second % 60 === 0) {
      const records: CameraReadingRow[] = city.cameras.map((camera, i) => ({ cameraId: camera.id, eventTime: at - 60_000, receivedAt: at, sourceId: 'bench', periodS: 60, volume: 5 + (i % 30), occupancyPct: 12, meanSpeedKmh: 20 + (i % 40) }));
      await persistCameraReadings(db, records);
    }
  }
  // VACUUM of a partitioned table goes through each partition.
  for (const table of ['position_history', 'camera_readings']) await db.exec(`VACUUM ANALYZE ${table}`);
}

class RolledBack extends Error {}

/**
 * Pruning what was written: the product drops the partitions past the retention (here all of
 * them); the baseline is the DELETE it replaced, of the same rows, rolled back.
 */
async function pruneTimes(db: Database): Promise<{ deleteMs: number; dropMs: number; partitions: number }> {
  const [deleteMs] = await timed(
    () => db.transaction(async (tx) => {
      for (const { table, time } of historyTables) await tx.query(`DELETE FROM ${table} WHERE ${time} < now() + interval '1 day'`);
      throw new RolledBack();
    }).catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    }),
    1,
  );
  let partitions = 0;
  const [dropMs] = await timed(async () => (partitions = (await pruneHistory(db, retentionHours, Date.now() + (retentionHours + 5) * 3_600_000)).partitions.length), 1);
  return { deleteMs: deleteMs!, dropMs: dropMs!, partitions };
}

export async function benchStorage(options: BenchOptions): Promise<BenchOutput> {
  const { quick } = options;
  const minutes = quick ? 2 : 10;
  const output: BenchOutput = [];
  const mb = (bytes: number) => `${Math.round(bytes / 1e6).toLocaleString('en')} MB`;
  for (const backend of benchBackends(options)) {
    const db = await openWithCity(backend, city);
    try {
      await write(db, minutes);
      const position = await bytesPerRow(db, 'position_history');
      const record = await bytesPerRow(db, 'camera_readings');
      const prune = await pruneTimes(db);
      const day = (perRow: number, perSecond: number) => perRow * perSecond * retentionHours * 3600;
      const name = backendName(backend);
      output.push(
        {
          figure: `a stored position (history, with its indexes), Karamay's fleet for ${minutes} min (${position.rows.toLocaleString('en')} rows), ${name}`,
          measured: `${position.withIndexes.toFixed(0)} bytes`,
          baseline: `the rows alone ${position.rowsAlone.toFixed(0)} bytes`,
          ratio: `${(position.withIndexes / position.rowsAlone).toFixed(2)}×`,
          target: 'stated',
        },
        {
          figure: `a stored detector record (with its indexes), ${city.cameras.length.toLocaleString('en')} cameras for ${minutes} min (${record.rows.toLocaleString('en')} rows), ${name}`,
          measured: `${record.withIndexes.toFixed(0)} bytes`,
          baseline: `the rows alone ${record.rowsAlone.toFixed(0)} bytes`,
          ratio: `${(record.withIndexes / record.rowsAlone).toFixed(2)}×`,
          target: 'stated',
        },
        {
          figure: `history kept at the default retention (${retentionHours} h) at Karamay's rates (${positionsPerSecond.toFixed(0)} positions/s, ${recordsPerSecond.toFixed(0)} detector records/s), ${name}`,
          measured: `${mb(day(position.withIndexes, positionsPerSecond) + day(record.withIndexes, recordsPerSecond))} (positions ${mb(day(position.withIndexes, positionsPerSecond))}, detector records ${mb(day(record.withIndexes, recordsPerSecond))})`,
          baseline: `the rows alone ${mb(day(position.rowsAlone, positionsPerSecond) + day(record.rowsAlone, recordsPerSecond))}`,
          ratio: '—',
          target: 'a stated disk budget',
        },
        {
          figure: `pruning those ${minutes} min of history past the retention (${(position.rows + record.rows).toLocaleString('en')} rows), ${name}`,
          measured: `${prune.dropMs.toFixed(0)} ms: ${prune.partitions} partitions dropped`,
          baseline: `DELETE of the same rows ${prune.deleteMs.toFixed(0)} ms (rolled back: the vacuum of its dead rows not counted)`,
          ratio: `${(prune.deleteMs / prune.dropMs).toFixed(1)}×`,
          target: 'drop a partition to prune',
        },
      );
    } finally {
      await db.close();
    }
  }
  return output;
}
