// Per-tick position join: one set-based query for the whole batch (the product) against one query
// per position (the baseline), same fixes, same database.
import { PlaceIndex, persistPositionBatch, type PositionFix } from '../geo/index.ts';
import { openWithCity } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import { benchBackends, backendName, type BenchOptions, type BenchOutput } from './report.ts';

const batchSize = 2_000;
// The set-based write is fast: enough rounds that a checkpoint or a vacuum does not decide the figure.
const rounds = { setBased: 15, perEvent: 3 };

export async function benchPositionJoin(options: BenchOptions): Promise<BenchOutput> {
  const { quick } = options;
  const { setBased: setBasedRounds, perEvent: perEventRounds } = quick ? { setBased: 3, perEvent: 1 } : rounds;
  const city = generateCity(cityProfiles.karamay);
  const vehicles = city.entities.filter((e) => e.kind === 'police-car' || e.kind === 'bus' || e.kind === 'taxi').slice(0, batchSize);
  const segments = city.roadSegments;
  let clock = Date.parse('2026-11-21T08:00:00Z');
  let round = 0;
  // Every fix on a street, at a different place each round, so the join does real work.
  const batch = (): PositionFix[] =>
    vehicles.map((vehicle, i) => {
      if (i === 0) round += 1;
      const [a, b] = segments[(i * 7 + round * 13) % segments.length]!.line as [[number, number], [number, number]];
      clock += 1;
      return { entityId: vehicle.id, lon: (a[0] + b[0]) / 2, lat: (a[1] + b[1]) / 2, headingDeg: 90, speedKmh: 40, eventTime: clock, receivedAt: clock, sourceId: 'bench' };
    });
  const lines: BenchOutput = [];
  for (const backend of benchBackends(options)) {
    const db = await openWithCity(backend, city);
    try {
      // Both ways keep the pipeline's place index: a fix alone costs its statement and the index's revision check.
      const places = new PlaceIndex();
      await persistPositionBatch(db, batch(), places); // warm-up
      let setBasedMs = 0;
      for (let r = 0; r < setBasedRounds; r++) {
        const fixes = batch();
        const started = performance.now();
        await persistPositionBatch(db, fixes, places);
        setBasedMs += performance.now() - started;
      }
      let perEventMs = 0;
      for (let r = 0; r < perEventRounds; r++) {
        const fixes = batch();
        const started = performance.now();
        for (const fix of fixes) await persistPositionBatch(db, [fix], places);
        perEventMs += performance.now() - started;
      }
      const setBased = (setBasedRounds * batchSize) / (setBasedMs / 1000);
      const perEvent = (perEventRounds * batchSize) / (perEventMs / 1000);
      lines.push({
        figure: `the tick's set-based join against one query per fix, ${batchSize.toLocaleString('en')} fixes, ${backendName(backend)}`,
        measured: `${Math.round(setBased).toLocaleString('en')} rows/s`,
        baseline: `one query per fix ${Math.round(perEvent).toLocaleString('en')} rows/s`,
        ratio: `${(setBased / perEvent).toFixed(1)}×`,
        target: '≥ 25×',
      });
      lines.push(
        `position join, ${backend.name} PostGIS, ${batchSize} fixes/batch: set-based ${Math.round(setBased).toLocaleString('en')} rows/s; ` +
          `one query per fix (baseline) ${Math.round(perEvent).toLocaleString('en')} rows/s; ratio ${(setBased / perEvent).toFixed(1)}×`,
      );
    } finally {
      await db.close();
    }
  }
  return lines;
}
