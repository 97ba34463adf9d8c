// For bench/simulators.ts, in a process of its own so counting takes no CPU from the simulators'
// process: polls each VehiclePositions feed given as an argument every second and counts the
// reports it had not seen; a line on stdin asks for the count so far.
import GtfsRealtimeBindings from 'gtfs-realtime-bindings';

let counted = 0;

async function countNewReports(url: string): Promise<never> {
  const last = new Map<string, number>();
  let modified: string | undefined;
  for (let next = Date.now(); ; next += 1_000) {
    const response = await fetch(url, { headers: modified ? { 'if-modified-since': modified } : {} });
    if (response.status === 200) {
      modified = response.headers.get('last-modified') ?? undefined;
      const feed = GtfsRealtimeBindings.transit_realtime.FeedMessage.decode(new Uint8Array(await response.arrayBuffer()));
      for (const { vehicle } of feed.entity) {
        const id = vehicle!.vehicle!.id!;
        const at = Number(vehicle!.timestamp);
        if (last.get(id) !== at) (last.set(id, at), (counted += 1));
      }
    } else await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next + 1_000 - Date.now())));
  }
}

process.stdin.on('data', () => process.stdout.write(`${counted}\n`));
process.stdin.on('end', () => process.exit(0));
await Promise.all(process.argv.slice(2).map(countNewReports));
