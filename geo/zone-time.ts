// Times in a transit agency's zone (GTFS keeps the zone, not an offset): one reading of it for the
// importer, the simulated agency and the tests.

/** Minutes `zone` is ahead of UTC at `atMs`. */
export function zoneOffsetMin(zone: string, atMs = Date.now()): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })
      .formatToParts(atMs)
      .map((part) => [part.type, Number(part.value)]),
  ) as Record<string, number>;
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
  return Math.round((local - Math.floor(atMs / 60_000) * 60_000) / 60_000);
}

/** The calendar date (YYYY-MM-DD) in `zone` at `atMs`. */
export const zoneDate = (zone: string, atMs: number) => new Date(atMs).toLocaleDateString('en-CA', { timeZone: zone });

/** Epoch ms of `hh:mm` local time on `date` (YYYY-MM-DD) in `zone`. */
export function zoneTimeOn(zone: string, date: string, hours: number, minutes = 0): number {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const localMs = Date.UTC(year, month - 1, day, hours, minutes);
  return localMs - zoneOffsetMin(zone, localMs) * 60_000;
}

/** Epoch ms of a GTFS service day's origin: noon minus 12 h, local, on `date`. */
export const serviceDayOrigin = (zone: string, date: string) => zoneTimeOn(zone, date, 12) - 12 * 3_600_000;
