// History's partitions by time range (migration 0027): made ahead of the rows that need them,
// dropped whole once past the retention. Dropping a partition costs the same whatever it holds;
// the DELETE it replaces rewrote every expired row and left them for vacuum (at 50,000 fixes a
// second, 180 million rows an hour).
import type { Database, Queryable } from './database.ts';
import { rollupRetentionMs } from './posture-window.ts';

/** The tables kept in partitions, by the column they are partitioned on, each kept as long as `keptAs`. */
export const historyTables = [
  { table: 'position_history', time: 'event_time', keptAs: 'position_history' },
  { table: 'camera_readings', time: 'period_start', keptAs: 'camera_readings' },
  // Keyframes of positions (migration 0031) stand for the positions: kept as long.
  { table: 'position_keyframes', time: 'at', keptAs: 'position_history' },
] as const;

const hourMs = 3_600_000;

export type HistoryTableName = (typeof historyTables)[number]['keptAs'];
/** How long history keeps its rows, hours: one figure for all, or one for positions and one for detector records. */
export type HistoryRetention = number | Record<HistoryTableName, number>;
const hoursFor = (retention: HistoryRetention, { keptAs }: (typeof historyTables)[number]) => (typeof retention === 'number' ? retention : retention[keptAs]);

/**
 * How wide a partition is: an hour while the retention is two days or less (an expired row stays
 * at most an hour longer), six hours up to two weeks, then a day, so no retention keeps more than
 * a few hundred partitions (a statement over all of history locks each).
 */
export function partitionWidthMs(retentionHours: number): number {
  if (retentionHours <= 48) return hourMs;
  if (retentionHours <= 14 * 24) return 6 * hourMs;
  return 24 * hourMs;
}

/** How far ahead of now partitions are made: a missed maintenance round or two costs nothing. */
const aheadWidths = 3;

/** One range partition; null bounds are MINVALUE / MAXVALUE. Epoch ms. */
export interface HistoryPartition {
  name: string;
  from: number | null;
  to: number | null;
}

const bound = (part: string) => `CASE WHEN b[${part}] IN ('MINVALUE', 'MAXVALUE') THEN NULL ELSE extract(epoch FROM btrim(b[${part}], '''')::timestamptz) * 1000 END`;

/** The range partitions of `table`, oldest first (the default partition is not one). */
export async function listHistoryPartitions(db: Queryable, table: string): Promise<HistoryPartition[]> {
  const rows = await db.query<{ name: string; from: number | string | null; to: number | string | null }>(
    `SELECT c.relname AS name, ${bound('1')} AS "from", ${bound('2')} AS "to"
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\((.+)\\) TO \\((.+)\\)') AS b
     WHERE i.inhparent = $1::regclass AND b IS NOT NULL`,
    [table],
  );
  const ms = (value: number | string | null) => (value === null ? null : Number(value));
  return rows.map((row) => ({ name: row.name, from: ms(row.from), to: ms(row.to) })).sort((a, b) => (a.to ?? Infinity) - (b.to ?? Infinity));
}

// Maintenance takes this lock (per transaction) so several nodes never make the same partition,
// and gives up on a table lock it cannot have within a moment: a drop waiting behind a long read
// would hold up every tick's insert queued behind it. The next round tries again.
const maintenanceLockKey = 72_201_927;

/** Runs `work` on each history table in a transaction of its own, skipped while another node maintains them. */
async function eachHistoryTable(db: Database, work: (tx: Queryable, table: (typeof historyTables)[number]) => Promise<void>): Promise<void> {
  for (const table of historyTables) {
    await db.transaction(async (tx) => {
      const [locked] = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [maintenanceLockKey]);
      if (!locked?.locked) return;
      await tx.query(`SET LOCAL lock_timeout = '2s'`);
      await work(tx, table);
    });
  }
}

const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 13).replace(/\D/g, '');

// Position history's key (a fix sent or applied again is stored once) is each partition's own
// (migration 0033): bare while the partition takes fixes, the write's least cost; once it has
// closed, built anew carrying what a unit's track reads, so a track reads the key alone.
const positionKey = '(entity_id, event_time)';
const trackCarries = 'INCLUDE (geom, speed_kmh, heading_deg)';

/**
 * Makes the partitions from the newest one (or this hour, if none) to `aheadWidths` partitions
 * past `now`. Rows the default partition holds for a new range (written while no partition was
 * there) are moved into it. Returns the partitions made.
 */
export async function makeHistoryPartitions(db: Database, retention: HistoryRetention, now = Date.now()): Promise<string[]> {
  const made: string[] = [];
  await eachHistoryTable(db, async (tx, kept) => {
    const { table, time } = kept;
    const retentionHours = hoursFor(retention, kept);
    const width = partitionWidthMs(retentionHours);
    const newest = (await listHistoryPartitions(tx, table)).at(-1)?.to;
    if (newest === null) return; // ends at MAXVALUE: nothing to make
    // The first partition holds this hour on; after a long stop, none is made for what is
    // already past the retention.
    const oldestKept = Math.floor((now - retentionHours * hourMs) / width) * width;
    let from = newest === undefined ? Math.floor(now / width) * width : Math.max(newest, oldestKept);
    while (from < now + aheadWidths * width) {
      const to = (Math.floor(from / width) + 1) * width;
      const name = `${table}_p${stamp(from)}`;
      const range = [new Date(from).toISOString(), new Date(to).toISOString()];
      await tx.query(`CREATE TABLE ${name} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
      if (table === 'position_history') await tx.query(`CREATE UNIQUE INDEX ${name}_key ON ${name} ${positionKey}`);
      await tx.query(
        `WITH moved AS (DELETE FROM ${table}_default WHERE ${time} >= $1 AND ${time} < $2 RETURNING *) INSERT INTO ${name} SELECT * FROM moved`,
        range,
      );
      await tx.query(`ALTER TABLE ${table} ATTACH PARTITION ${name} FOR VALUES FROM ('${range[0]}') TO ('${range[1]}')`);
      made.push(name);
      from = to;
    }
  });
  return made;
}

// A partition closed this long ago takes no more of the trackers' fixes (a late one is rare, and
// leaves only its own page to vacuum again).
const settledAfterMs = 2 * 60_000;
// A partition with fewer of its pages marked all-visible than this is vacuumed again.
const visibleShare = 0.95;
// The pages each partition had when this process last vacuumed it, by database: one that VACUUM
// could not make all-visible (a long transaction's snapshot held its rows) is not vacuumed again
// each minute, only once it has grown.
const vacuumedPages = new WeakMap<Database, Map<string, number>>();
// Held while history is readied (a session lock: the work runs outside a transaction).
const upkeepLockKey = 72_201_932;

/**
 * Runs `work` on history's tables as its upkeep does: on one connection outside a transaction, no
 * statement timeout, one at a time across nodes. REINDEX CONCURRENTLY waits for every older
 * transaction, so an ANALYZE or a summarising that meanwhile wants a lock it holds deadlocks.
 */
export function withHistoryUpkeep<T>(db: Database, work: (connection: Queryable) => Promise<T>): Promise<T> {
  return db.maintain(upkeepLockKey, work);
}

/**
 * Readies history for its reads, a step at a time (housekeeping calls it each minute). The open
 * partitions' BRIN time indexes summarise their new page ranges: a range not yet summarised matches
 * every search, so a seek into this hour would read all of it. And the newest closed partition of
 * each table whose pages are not yet all-visible (or whose key does not yet carry the track) is
 * indexed anew and vacuumed: a track then reads history's key alone, never the rows' pages.
 * Autovacuum leaves up to a fifth of an insert-only partition undone; the embedded back end runs
 * none. Answers the partitions readied.
 */
export async function tendHistory(db: Database, now = Date.now()): Promise<string[]> {
  const pagesThen = vacuumedPages.get(db) ?? new Map<string, number>();
  vacuumedPages.set(db, pagesThen);
  return withHistoryUpkeep(db, async (connection) => {
    const readied: string[] = [];
    for (const { table } of historyTables) {
      const partitions = await listHistoryPartitions(connection, table);
      const isClosed = (partition: HistoryPartition) => partition.to !== null && partition.to <= now - settledAfterMs;
      await connection.query(
        `SELECT brin_summarize_new_values(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am am ON am.oid = c.relam
          WHERE am.amname = 'brin' AND i.indrelid = ANY($1::text[]::regclass[])`,
        [partitions.filter((partition) => !isClosed(partition)).map((partition) => partition.name)],
      );
      // Not yet readied: pages not all-visible, or (positions) the key not yet carrying the track.
      const unready = await connection.query<{ name: string; pages: number; carried: boolean }>(
        `SELECT relname AS name, pages, (NOT $3 OR to_regclass(relname || '_track') IS NOT NULL) AS carried
          FROM pg_class CROSS JOIN LATERAL (SELECT (pg_relation_size(oid) / current_setting('block_size')::int)::int AS pages) p
          WHERE relname = ANY($1::text[]) AND relkind = 'r' AND (relallvisible < $2::float8 * pages OR ($3 AND to_regclass(relname || '_track') IS NULL))
          ORDER BY array_position($1::text[], relname::text) DESC`,
        [partitions.filter(isClosed).map((partition) => partition.name), visibleShare, table === 'position_history'],
      );
      const next = unready.find(({ name, pages, carried }) => pagesThen.get(name) !== pages || !carried);
      if (!next) continue;
      // A build stopped midway (a deadlock, a restart) leaves its half-made copy, written to by
      // every insert yet never read: dropped before trying again.
      await dropInvalidIndexes(connection, next.name);
      await rebuildIndexes(connection, table, next);
      await connection.exec(`VACUUM (ANALYZE) ${next.name}`);
      pagesThen.set(next.name, next.pages);
      readied.push(next.name);
    }
    return readied;
  });
}

/**
 * Builds a closed partition's indexes anew, whole, without blocking its reads or writes: filled as
 * rows arrived, a key by unit was a third empty space (134 bytes a fix against 84). A position
 * partition's bare key gives way to one carrying the track the first time; a partition readied
 * again (a backlog of old fixes written into it since) has them all rebuilt.
 */
async function rebuildIndexes(connection: Queryable, table: string, partition: { name: string; carried: boolean }): Promise<void> {
  const { name } = partition;
  if (table !== 'position_history' || partition.carried) return void (await connection.exec(`REINDEX TABLE CONCURRENTLY ${name}`));
  await connection.exec(`CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ${name}_track ON ${name} ${positionKey} ${trackCarries}`);
  await connection.exec(`DROP INDEX CONCURRENTLY IF EXISTS ${name}_key`);
}

/** Drops the indexes of `table` a stopped concurrent build left invalid. */
async function dropInvalidIndexes(connection: Queryable, table: string): Promise<void> {
  const invalid = await connection.query<{ name: string }>(
    'SELECT i.indexrelid::regclass::text AS name FROM pg_index i WHERE i.indrelid = $1::regclass AND NOT i.indisvalid',
    [table],
  );
  for (const { name } of invalid) await connection.exec(`DROP INDEX CONCURRENTLY ${name}`);
}

// Each rollup span is kept as long as the longest range that reads it ($2 minutes' rows, $3 hours', ms).
const rollupTables = ['traffic_rollup', 'bus_rollup', 'feed_rollup'];
const expiredRollup = `(span_s = 60 AND start < to_timestamp($1 / 1000.0) - make_interval(secs => $2 / 1000.0))
  OR (span_s = 3600 AND start < to_timestamp($1 / 1000.0) - make_interval(secs => $3 / 1000.0))`;

/** What a pruning round removed: the partitions dropped, and rows outside any partition deleted. */
export interface Pruned {
  partitions: string[];
  rowsOutsidePartitions: number;
}

/**
 * Drops history past the retention: each partition whose range ended before `now - retention`,
 * and the default partition's rows older than that; and the posture boards' rollups older than
 * they are read. A row is kept at least `retentionHours`, at most one partition width longer.
 */
export async function pruneHistory(db: Database, retention: HistoryRetention, now = Date.now()): Promise<Pruned> {
  const pruned: Pruned = { partitions: [], rowsOutsidePartitions: 0 };
  await eachHistoryTable(db, async (tx, kept) => {
    const { table, time } = kept;
    const cutoff = now - hoursFor(retention, kept) * hourMs;
    for (const partition of await listHistoryPartitions(tx, table)) {
      if (partition.to === null || partition.to > cutoff) continue;
      await tx.query(`DROP TABLE ${partition.name}`);
      pruned.partitions.push(partition.name);
    }
    const [deleted] = await tx.query<{ rows: number }>(
      `WITH gone AS (DELETE FROM ${table}_default WHERE ${time} < $1 RETURNING 1) SELECT count(*)::int AS rows FROM gone`,
      [new Date(cutoff).toISOString()],
    );
    pruned.rowsOutsidePartitions += deleted?.rows ?? 0;
  });
  await db.query(
    `WITH ${rollupTables.map((name) => `${name}_pruned AS (DELETE FROM ${name} WHERE ${expiredRollup})`).join(', ')} SELECT 1`,
    [now, rollupRetentionMs[60], rollupRetentionMs[3600]],
  );
  return pruned;
}

/**
 * Deletes the event logs' rows older than `days`: cameras' events, and fence alerts cleared and last
 * raised that long ago (one still open is kept however old). Cases, their history, units sent, warnings and the audit
 * log are records: never pruned. Answers the rows deleted.
 */
export async function pruneEventLogs(db: Queryable, days: number, now = Date.now()): Promise<{ cameraEvents: number; geofenceAlerts: number }> {
  const [deleted] = await db.query<{ cameraEvents: number; geofenceAlerts: number }>(
    `WITH events AS (DELETE FROM camera_events WHERE event_time < $1 RETURNING 1),
          alerts AS (DELETE FROM geofence_alerts WHERE state = 'cleared' AND last_at < $1 RETURNING 1)
     SELECT (SELECT count(*)::int FROM events) AS "cameraEvents", (SELECT count(*)::int FROM alerts) AS "geofenceAlerts"`,
    [new Date(now - days * 24 * hourMs).toISOString()],
  );
  return deleted!;
}

/** What `table` takes on disk over all its partitions: with indexes and TOAST, and its rows alone. */
export async function historyBytes(db: Queryable, table: string): Promise<{ total: number; heap: number }> {
  const [row] = await db.query<{ total: string; heap: string }>(
    `SELECT sum(pg_total_relation_size(relid))::text AS total, sum(pg_relation_size(relid))::text AS heap FROM pg_partition_tree($1::regclass)`,
    [table],
  );
  return { total: Number(row?.total ?? 0), heap: Number(row?.heap ?? 0) };
}
