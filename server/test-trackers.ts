// For tests: trackers that send OsmAnd fixes as Traccar Client does, again until acknowledged.
import { expect } from 'vitest';

interface Unit {
  id: string;
  point: readonly [number, number] | readonly number[];
}

/**
 * One tracker per unit, each sending a fix every `everyMs` (350 ms keeps within the per-device
 * limit of 30 in 10 s), one second apart in its own time, and sending it again until it is
 * acknowledged: connection refused, 503, 429 and timeouts all mean "again" (after the server's
 * Retry-After, at most 5 s), at the next of the unit's
 * `urlsOf` (a load balancer's other nodes). Notes the fix times acknowledged per unit, and how
 * often a sender was refused (503) or got no answer.
 */
export function trackers(units: readonly Unit[], fixesEach: number, urlsOf: (unit: Unit) => readonly string[], everyMs = 350) {
  const acknowledged = new Map<string, number[]>(units.map((unit) => [unit.id, []]));
  const answered = { refused: 0, unreachable: 0 };
  const startS = Math.floor(Date.now() / 1000) - 2 * fixesEach;
  const sendAll = async (unit: Unit) => {
    const urls = urlsOf(unit);
    let attempt = 0;
    for (let i = 0; i < fixesEach; i++) {
      const timestamp = startS + i;
      for (;;) {
        const url = urls[attempt % urls.length]!;
        const answer = await fetch(`${url}?id=${unit.id}&lat=${unit.point[1]}&lon=${unit.point[0]}&timestamp=${timestamp}`, { method: 'POST', signal: AbortSignal.timeout(5_000) }).then(
          (response) => ({ status: response.status, retryAfterS: Number(response.headers.get('retry-after') ?? 0) }),
          () => ({ status: 0, retryAfterS: 0 }),
        );
        if (answer.status === 200) break;
        // Refused for now (overloaded, its bus down, or sending too often): again after what the server asked.
        expect([0, 429, 503]).toContain(answer.status);
        if (answer.status === 0) answered.unreachable += 1;
        else answered.refused += 1;
        attempt += 1;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, Math.max(250, answer.retryAfterS * 1_000))));
      }
      acknowledged.get(unit.id)!.push(timestamp * 1000);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
  return { acknowledged, answered, done: Promise.all(units.map(sendAll)) };
}

export const totalAcknowledged = (acknowledged: Map<string, number[]>) => [...acknowledged.values()].reduce((sum, times) => sum + times.length, 0);

/** What the trackers had acknowledged that history lacks, and what it holds twice. */
export function compareWithHistory(acknowledged: Map<string, number[]>, stored: readonly { entity_id: string; ms: string }[]) {
  const storedKeys = stored.map((row) => `${row.entity_id}@${row.ms}`);
  const held = new Set(storedKeys);
  const acknowledgedKeys = [...acknowledged].flatMap(([id, times]) => times.map((ms) => `${id}@${ms}`));
  return { missing: acknowledgedKeys.filter((key) => !held.has(key)).length, duplicated: storedKeys.length - held.size, stored: storedKeys.length };
}

export const historyTimes = `SELECT entity_id, (extract(epoch FROM event_time) * 1000)::bigint AS ms FROM position_history`;
