import pg from 'pg';

// Advisory lock class for the ingest bus's partitions (any constant other code does not use).
const lockClass = 0x6f6e6573; // 'ones'
const applicationName = 'onescreen ingest';

/**
 * Which partitions of the ingest bus this node processes, held as PostgreSQL session advisory
 * locks on a connection of its own: a node that dies (or loses the database) loses its connection,
 * and its partitions are free for a surviving node at once. Live nodes are the connections holding
 * this application name, so each node can take its fair share.
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
    liveNodes: async () => (await one<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()', [applicationName])).n,
    async close() {
      closing = true;
      await client.end().catch(() => {});
    },
  };
}
