import { hostname } from 'node:os';
import pg from 'pg';
import type { Queryable } from './database.ts';

// Advisory lock class for the ingest bus's partitions (any constant other code does not use).
const lockClass = 0x6f6e6573; // 'ones'
// A node's lease connection is named for its host and process, so an admin (and a test) can see in
// pg_locks which node holds which partition: partitionsHeldBy.
const applicationPrefix = 'onescreen ingest';
const applicationName = `${applicationPrefix} ${hostname()}:${process.pid}`.slice(0, 63);

/**
 * Which partitions of the ingest bus this node processes, held as PostgreSQL session advisory
 * locks on a connection of its own: a node that dies (or loses the database) loses its connection,
 * and its partitions are free for a surviving node at once. Live nodes are the connections holding
 * this application name (and any host and process id), so each node can take its fair share.
 */
export interface PartitionLeases {
  tryTake(partition: number): Promise<boolean>;
  give(partition: number): Promise<void>;
  /** Nodes connected now, this one included. */
  liveNodes(): Promise<number>;
  close(): Promise<void>;
}

/** `onLost` is called once if the lease connection fails: every partition it held is free again. */
export async function openPartitionLeases(url: string, onLost: (error: Error) => void): Promise<PartitionLeases> {
  const client = new pg.Client({ connectionString: url, application_name: applicationName, keepAlive: true });
  let closing = false;
  let lost = false;
  const lose = (error: Error) => {
    if (closing || lost) return;
    lost = true;
    onLost(error);
  };
  client.on('error', lose);
  client.on('end', () => lose(new Error('the database closed the partition lease connection')));
  await client.connect();
  const one = async <T>(sql: string, values: unknown[]) => (await client.query(sql, values)).rows[0] as T;
  return {
    tryTake: async (partition) => (await one<{ taken: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS taken', [lockClass, partition])).taken,
    give: async (partition) => void (await client.query('SELECT pg_advisory_unlock($1, $2)', [lockClass, partition])),
    liveNodes: async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE $1 || ' %' AND datname = current_database()`, [applicationPrefix])).n,
    async close() {
      closing = true;
      await client.end().catch(() => {});
    },
  };
}

/** The partitions the node of process `pid` holds now, read from PostgreSQL's lock table. */
export async function partitionsHeldBy(db: Queryable, pid: number): Promise<number[]> {
  const rows = await db.query<{ partition: number }>(
    `SELECT l.objid::int AS partition FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.classid = $1::bigint::oid AND a.application_name LIKE $2 || ' %:' || $3 ORDER BY 1`,
    [lockClass, applicationPrefix, String(pid)],
  );
  return rows.map((row) => row.partition);
}
