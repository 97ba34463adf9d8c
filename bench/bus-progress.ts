// The buses' check at city scale: each tick, every bus that moved gets its progress along its
// route, its delay, and whether it runs bunched with another of its route (geo/buses.ts). Timed
// for the megacity's 8,000 buses on 300 routes, all moved at once and a fifteenth of them (a
// 1-second tick when each reports every 15 s), against the tick's position write of the same
// 8,000 buses in the same run. It must fit in a tick (TICK_MS, 250 ms by default).
import { PlaceIndex, persistPositionBatch, updateBusProgress, type PositionFix } from '../geo/index.ts';
import { openWithCity, testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { backendName, type BenchOptions, type BenchOutput } from './report.ts';
import { ms, percentile, timed } from './timing.ts';

export async function benchBusProgress({ quick }: BenchOptions): Promise<BenchOutput> {
  const rounds = quick ? 3 : 10;
  const city = generateCity(cityProfiles.megacity);
  const routes = new Map(city.busRoutes.map((route) => [route.id, route]));
  const buses = city.entities.filter((entity) => entity.kind === 'bus');
  // The database it runs on in production: PostgreSQL when DATABASE_URL is set.
  const backend = testBackends().at(-1)!;
  const db = await openWithCity(backend, city);
  try {
    const places = new PlaceIndex();
    let clock = Date.now() - rounds * 4_000;
    // Every bus somewhere along its route, a little further each round.
    const fixes = (round: number): PositionFix[] => {
      clock += 1_000;
      return buses.map((bus, i) => {
        const line = routes.get(bus.routeId!)!.line;
        const [lon, lat] = line[(i * 3 + round) % line.length]!;
        return { entityId: bus.id, lon, lat, headingDeg: 90, speedKmh: 20, eventTime: clock, receivedAt: clock, sourceId: 'bench' };
      });
    };
    let round = 0;
    const write = await timed(() => persistPositionBatch(db, fixes(round++), places), rounds);
    const ids = buses.map((bus) => bus.id);
    const all = await timed(() => updateBusProgress(db, ids), rounds);
    const some = ids.filter((_, i) => i % 15 === 0);
    const fifteenth = await timed(() => updateBusProgress(db, some), rounds);
    const median = (values: number[]) => percentile(values, 50);
    return [
      {
        figure: `the buses' progress, delay and bunching check, ${buses.length.toLocaleString('en')} megacity buses on ${routes.size} routes (${backendName(backend)}, median of ${rounds})`,
        measured: `${ms(median(all))} for all of them moved at once; ${ms(median(fifteenth))} for ${some.length} (a 1 s tick at 15 s reports)`,
        baseline: `the tick's position write of the same buses: ${ms(median(write))}`,
        ratio: `${(median(all) / median(write)).toFixed(2)}×`,
        target: 'within a tick (250 ms)',
      },
    ];
  } finally {
    await db.close();
  }
}
