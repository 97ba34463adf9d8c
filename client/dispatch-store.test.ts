import { describe, expect, it } from 'vitest';
import type { ForceCount, Incident, LiveAssignment } from '../streams/index.ts';
import { assignmentAsOf, createDispatchStore, detailAsOf, dispatchUpdaters, forceByDistrict, queueOf } from './dispatch-store.ts';

const incident = (id: number, change: Partial<Incident> = {}): Incident =>
  ({ id, severity: 1, status: 'registered', dueAt: '2026-11-22T10:00:00.000Z', version: 1, ...change }) as Incident;

describe('the dispatch console’s state', () => {
  const empty = createDispatchStore().getState();

  it('queues open cases by severity, then the one due soonest, keeping the newest version of each', () => {
    let state = dispatchUpdaters.incidentsSeen(empty, [incident(1), incident(2, { severity: 3 }), incident(3, { dueAt: '2026-11-22T09:00:00.000Z' })]);
    expect(queueOf(state).map((i) => i.id)).toEqual([2, 3, 1]);
    state = dispatchUpdaters.incidentsSeen(state, [incident(2, { version: 3, status: 'handling', severity: 3 })]);
    state = dispatchUpdaters.incidentsSeen(state, [incident(2, { version: 2, status: 'dispatched', severity: 3 })]);
    expect(state.incidents.get(2)!.status, 'an older version arriving late changes nothing').toBe('handling');
    state = dispatchUpdaters.incidentsSeen(state, [incident(3, { version: 2, status: 'closed' })]);
    expect(queueOf(state).map((i) => i.id), 'closed cases leave the queue').toEqual([2, 1]);
  });

  it('keeps the chosen case’s detail, candidates and units sent for that case only', () => {
    let state = dispatchUpdaters.selected(dispatchUpdaters.incidentsSeen(empty, [incident(1), incident(2)]), 1);
    state = dispatchUpdaters.detailRead(state, { ...incident(2), history: [], next: [] });
    expect(state.detail, 'an answer for a case chosen before is dropped').toBeNull();
    state = dispatchUpdaters.detailRead(state, { ...incident(1), history: [], next: ['dispatched'] });
    state = dispatchUpdaters.incidentsSeen(state, [incident(1, { version: 2, status: 'dispatched' })]);
    expect(state.detail!.status, 'a push updates the detail shown').toBe('dispatched');
    const sent = (id: number, incidentId: number) => ({ id, incidentId, unitId: `u${id}`, status: 'en-route' }) as LiveAssignment;
    state = dispatchUpdaters.assignmentsSeen(state, [sent(10, 1), sent(11, 2)]);
    expect([...state.assignments.keys()]).toEqual([10]);
    state = dispatchUpdaters.assignmentsSeen(state, [{ ...sent(10, 1), status: 'on-scene' }]);
    state = dispatchUpdaters.assignmentsSeen(state, [sent(10, 1)]);
    expect(state.assignments.get(10)!.status, 'a read answered after a later push does not take the unit back').toBe('on-scene');
    expect(dispatchUpdaters.selected(state, 2).assignments.size).toBe(0);
  });

  it('shows a case and a unit sent as they stood at a past moment (a replay), read-only', () => {
    const history = [
      { at: '2026-11-22T08:00:00.000Z', actor: 'system', fromStatus: null, toStatus: 'registered' as const, note: null },
      { at: '2026-11-22T08:05:00.000Z', actor: 'dispatcher', fromStatus: 'registered' as const, toStatus: 'dispatched' as const, note: null },
      { at: '2026-11-22T08:20:00.000Z', actor: 'gps', fromStatus: 'dispatched' as const, toStatus: 'handling' as const, note: null },
    ];
    const detail = { ...incident(1, { status: 'handling', version: 3 }), history, next: ['answered' as const] };
    expect(detailAsOf(detail, Date.parse('2026-11-22T07:59:59Z')), 'not reported yet').toBeNull();
    expect(detailAsOf(detail, Date.parse('2026-11-22T08:10:00Z'))).toMatchObject({ status: 'dispatched', version: 2, next: [], history: history.slice(0, 2) });
    const sent = { id: 7, incidentId: 1, status: 'released', assignedAt: '2026-11-22T08:05:00.000Z', arrivedAt: '2026-11-22T08:20:00.000Z', releasedAt: '2026-11-22T09:00:00.000Z', liveEtaS: 30, lon: 84.9, lat: 45.6 } as LiveAssignment;
    expect(assignmentAsOf(sent, Date.parse('2026-11-22T08:04:00Z'))).toBeUndefined();
    expect(assignmentAsOf(sent, Date.parse('2026-11-22T08:10:00Z'))).toMatchObject({ status: 'en-route', arrivedAt: null, releasedAt: null, liveEtaS: null, lon: null });
    expect(assignmentAsOf(sent, Date.parse('2026-11-22T08:30:00Z'))).toMatchObject({ status: 'on-scene', arrivedAt: sent.arrivedAt, releasedAt: null });
    expect(assignmentAsOf(sent, Date.parse('2026-11-22T09:00:00Z'))!.status).toBe('released');
  });

  it('sums the force per district: available, busy (en route or on scene), off duty', () => {
    const force: ForceCount[] = [
      { districtId: 'd1', agency: 'police', duty: 'available', units: 5 },
      { districtId: 'd1', agency: 'police', duty: 'en-route', units: 2 },
      { districtId: 'd1', agency: 'police', duty: 'on-scene', units: 1 },
      { districtId: 'd1', agency: 'city', duty: 'off-duty', units: 4 },
    ];
    expect(forceByDistrict(force).get('d1')).toEqual({ police: [5, 3, 0], city: [0, 0, 4] });
  });
});
