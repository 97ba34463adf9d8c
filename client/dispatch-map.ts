import { PathLayer, PolygonLayer, ScatterplotLayer } from '@deck.gl/layers';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { CitySummary, Duty, FleetUnit, Geofence, Incident, LiveAssignment, UnitCandidate, Warning } from '../streams/index.ts';
import { openBaseMap } from './base-map.ts';
import { cityOnMap, mapCoordinates } from './map-crs.ts';
import { dispatchUpdaters, queueOf, updateWith, type DispatchState, type DispatchStore } from './dispatch-store.ts';
import type { Language } from './i18n.ts';
import { entityColors, wallTheme, warningDeliveryColors } from './theme.ts';

// The fleet by duty: ready to send, busy, and silent (its position a guess).
const dutyColors: Record<Duty, [number, number, number, number]> = { available: [123, 211, 137, 230], 'en-route': [255, 210, 122, 230], 'on-scene': [77, 163, 255, 230], 'off-duty': [110, 124, 145, 160] };

/**
 * The console's map: geofences, the area being drawn, the cases by severity, the whole fleet of
 * the chosen case's kinds by duty, the units to send and the units sent with their live routes,
 * what else happened nearby, and where a call being entered happened. A click adds a corner
 * while an area is drawn, places the call while one is entered, and otherwise chooses a case.
 */
export function createDispatchMap(container: HTMLElement, city: CitySummary, language: Language, store: DispatchStore, onChooseCase: (id: number) => void) {
  // The server's WGS-84 moved onto a GCJ-02 base map, and a click on it moved back.
  const onMap = mapCoordinates(city.baseMap);
  const map = openBaseMap(container, cityOnMap(city, onMap), language, 1);
  const update = updateWith(store);
  const ring = (points: [number, number][]) => points.map(onMap.toMap);
  // One click handler: while a fence is drawn, a click adds a corner; otherwise it chooses a case.
  const overlay = new MapLibreOverlay({
    layers: [],
    onClick: (info) => {
      const drawing = store.getState().drawing;
      const picked = info.coordinate && onMap.fromMap([info.coordinate[0]!, info.coordinate[1]!]);
      if (drawing && picked) return update((state) => dispatchUpdaters.drawing(state, { ...drawing, corners: [...drawing.corners, picked] }));
      // While a call is entered, a click is where it happened.
      if (store.getState().intake && picked) return update((state) => dispatchUpdaters.intake(state, { point: picked, place: null }));
      if (info.layer?.id === 'cases' && info.object) onChooseCase((info.object as Incident).id);
    },
  });
  map.addControl(overlay);
  const draw = (state: DispatchState, focusedCandidate: string | null) => {
    const queue = queueOf(state);
    const candidates = Array.isArray(state.candidates) ? state.candidates : [];
    const focused = candidates.find((c) => c.id === focusedCandidate) ?? candidates[0];
    const enRoute = [...state.assignments.values()].filter((a) => a.status !== 'released');
    overlay.setProps({
      layers: [
        // Warnings issued: shaded by severity, outlined by how their delivery stands (the list says it in words).
        new PolygonLayer<Warning>({
          id: 'warnings',
          data: [...state.warnings.values()],
          getPolygon: (warning) => warning.area.coordinates.map(ring),
          getFillColor: (warning) => [...wallTheme.alerts[Math.min(3, Math.max(0, warning.severity - 1))]!, 40] as [number, number, number, number],
          getLineColor: (warning) => [...warningDeliveryColors[warning.delivery], 255] as [number, number, number, number],
          getLineWidth: 3,
          lineWidthUnits: 'pixels',
          updateTriggers: { getLineColor: [...state.warnings.values()].map((warning) => warning.delivery).join() },
        }),
        new PolygonLayer<Geofence>({
          id: 'fences',
          data: state.fences.filter((fence) => fence.shape),
          getPolygon: (fence) => fence.shape!.coordinates.map(ring),
          getFillColor: [77, 163, 255, 28],
          getLineColor: [77, 163, 255, 220],
          getLineWidth: 2,
          lineWidthUnits: 'pixels',
        }),
        new PathLayer<[number, number][]>({
          id: 'drawing',
          data: state.drawing && state.drawing.corners.length > 0 ? [[...state.drawing.corners, state.drawing.corners[0]!]] : [],
          getPath: ring,
          getColor: state.drawing?.purpose === 'warning' ? [255, 93, 93, 255] : [255, 210, 122, 255],
          getWidth: 2,
          widthUnits: 'pixels',
        }),
        new PathLayer<{ path: [number, number][]; sent: boolean }>({
          id: 'routes',
          data: [...(focused && enRoute.length === 0 ? [{ path: focused.route, sent: false }] : []), ...enRoute.filter((a) => a.status === 'en-route').map((a) => ({ path: a.route, sent: true }))],
          getPath: (d) => ring(d.path),
          getColor: (d) => (d.sent ? [...wallTheme.followed, 235] : [200, 220, 255, 150]),
          getWidth: (d) => (d.sent ? 6 : 4),
          widthUnits: 'pixels',
          capRounded: true,
          jointRounded: true,
        }),
        new ScatterplotLayer<Incident>({
          id: 'cases',
          data: queue,
          getPosition: (i) => onMap.toMap([i.lon, i.lat]),
          getFillColor: (i) => [...(wallTheme.alerts[i.severity - 1] ?? wallTheme.alerts[0]!), 235],
          getRadius: (i) => (i.id === state.selected ? 11 : 6),
          getLineColor: [255, 255, 255],
          getLineWidth: (i) => (i.id === state.selected ? 2 : 0),
          stroked: true,
          radiusUnits: 'pixels',
          lineWidthUnits: 'pixels',
          pickable: true,
          updateTriggers: { getRadius: state.selected, getLineWidth: state.selected },
        }),
        // The whole fleet of the case's kinds, by duty, under the ones to send and the ones sent.
        new ScatterplotLayer<FleetUnit>({
          id: 'fleet',
          data: state.fleet,
          getPosition: (u) => onMap.toMap([u.lon, u.lat]),
          getFillColor: (u) => dutyColors[u.duty],
          getRadius: 4,
          radiusUnits: 'pixels',
          pickable: true,
        }),
        // What else happened near the case, once asked: cases, camera events, units that passed.
        new ScatterplotLayer<{ lon: number; lat: number; what: 'incident' | 'camera' | 'unit' }>({
          id: 'nearby',
          data: state.nearby ? [...state.nearby.incidents.map((i) => ({ ...i, what: 'incident' as const })), ...state.nearby.cameraEvents.map((e) => ({ ...e, what: 'camera' as const })), ...state.nearby.units.map((u) => ({ ...u, what: 'unit' as const }))] : [],
          getPosition: (d) => onMap.toMap([d.lon, d.lat]),
          getLineColor: (d) => (d.what === 'incident' ? [255, 210, 122, 255] : d.what === 'camera' ? [255, 93, 93, 255] : [200, 220, 255, 200]),
          getRadius: 9,
          filled: false,
          stroked: true,
          getLineWidth: 2,
          radiusUnits: 'pixels',
          lineWidthUnits: 'pixels',
        }),
        new ScatterplotLayer<[number, number]>({
          id: 'intake',
          data: state.intake?.point ? [state.intake.point] : [],
          getPosition: onMap.toMap,
          getFillColor: [255, 210, 122, 90],
          getLineColor: [255, 210, 122, 255],
          getRadius: 14,
          getLineWidth: 3,
          stroked: true,
          radiusUnits: 'pixels',
          lineWidthUnits: 'pixels',
        }),
        new ScatterplotLayer<UnitCandidate | LiveAssignment>({
          id: 'units',
          data: [...candidates, ...enRoute],
          getPosition: (u) => onMap.toMap('unitId' in u ? [u.lon ?? 0, u.lat ?? 0] : [u.lon, u.lat]),
          getFillColor: (u) => ('unitId' in u ? wallTheme.followed : entityColors[u.kind]),
          getRadius: (u) => ('unitId' in u ? 8 : 6),
          getLineColor: [7, 13, 23],
          getLineWidth: 2,
          stroked: true,
          radiusUnits: 'pixels',
          lineWidthUnits: 'pixels',
        }),
      ],
    });
  };
  /** Flies to a place given in WGS-84 (a case, an alert, a search hit). */
  const flyTo = (at: [number, number], zoom: number, duration?: number) => map.flyTo({ center: onMap.toMap(at), zoom: Math.max(map.getZoom(), zoom), ...(duration !== undefined && { duration }) });
  return { map, overlay, draw, flyTo };
}
