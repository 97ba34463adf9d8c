import { PolygonLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { MapLibreOverlay } from '@deck.gl/maplibre';
import type { GeoJSONSource } from 'maplibre-gl';
import type { CitySummary, SegmentTraffic, UnitTrack } from '../streams/index.ts';
import { basemapStates, type Alert, type AlertList } from './alert-list.ts';
import { cityFeature, openBaseMap } from './base-map.ts';
import { cityOnMap, mapCoordinates } from './map-crs.ts';
import { RoadTraffic } from './road-traffic.ts';
import { PastOverlays } from './past-overlays.ts';
import type { PlaceAsked } from './who-was-here.ts';
import { createEntityLayer } from './entity-layer.ts';
import { clusterLayers } from './cluster-layers.ts';
import { clusterBelowZoom, createClusterer, type UnitCluster } from './unit-clusters.ts';
import type { TourStop } from './auto-tour.ts';
import type { EntityTable } from './entity-table.ts';
import type { Language } from './i18n.ts';
import type { Insets } from './panel-insets.ts';
import { canvasNotice, fullResolutionCanvas } from './canvas-size.ts';
import { wallTheme } from './theme.ts';

// Gliding entities are redrawn at most this often, ms: smooth to the eye, light on a wall PC.
const frameEveryMs = 66;
// With nothing animating, the map looks for new data this often, ms.
const idlePollMs = 100;
// Severe alerts (3 and up) pulse with this period, ms, so the eye finds them from across the room.
const pulseMs = 1_200;
// A tour's move between stops, ms: long enough for the eye to follow.
const tourFlightMs = 3_000;
// Alerts age off the wall in minutes: the shown list is re-read when it changes and at this pace, not per frame, ms.
const alertsRereadMs = 10_000;

/** What was clicked: an alert, a live entity, or a cluster of units (the map zooms in on it). */
export type Picked = { alert: Alert } | { entitySlot: number } | { cluster: UnitCluster };

/** The wall's map: the city base map from this server with live entities drawn by deck.gl over it. */
export function createCityMap(
  container: HTMLElement,
  city: CitySummary,
  language: Language,
  motion: boolean,
  scale: number,
  onPick: (picked: Picked | undefined) => void,
  onNotice: (notice: string | null) => void,
) {
  // Everything from the server is WGS-84; a GCJ-02 base map has it moved onto its own coordinates.
  const onMap = mapCoordinates(city.baseMap);
  const framing = cityOnMap(city, onMap);
  // The base map at the screen's full resolution, as far as the GPU draws one canvas; short of it, the wall says so.
  const canvas = fullResolutionCanvas(container);
  const map = openBaseMap(container, framing, language, scale, canvas.size);
  onNotice(canvas.limited ? canvasNotice[language](canvas.size) : null);
  let shownAlerts: Alert[] = [];
  const overlay = new MapLibreOverlay({
    layers: [],
    onClick: (info) => {
      if (info.layer?.id === 'alerts' && shownAlerts[info.index]) onPick({ alert: shownAlerts[info.index]! });
      else if (info.layer?.id === 'live-entities' && info.index >= 0) onPick({ entitySlot: info.index });
      else if (info.layer?.id === 'followed' && trackedSlot !== undefined) onPick({ entitySlot: trackedSlot });
      else if (info.layer?.id === 'unit-clusters' && info.object) zoomInOn(info.object as UnitCluster);
      else onPick(undefined);
    },
  });
  map.addControl(overlay);

  const entityLayer = createEntityLayer(scale);
  const clusters = createClusterer(scale);
  const zoomInOn = (cluster: UnitCluster) => {
    framed = undefined;
    const [west, south, east, north] = cluster.bbox;
    // Close enough that nothing is grouped any more: each member shows as itself.
    const camera = map.cameraForBounds([west, south, east, north], { padding: 80 * scale, maxZoom: 16 });
    map.flyTo({ center: camera?.center ?? [cluster.lon, cluster.lat], zoom: Math.max(clusterBelowZoom, camera?.zoom ?? 0), duration: tourFlightMs / 2, animate: motion });
    onPick({ cluster });
  };
  // The view the wall chose itself (the whole city at first); undefined once an operator moved it.
  let framed: TourStop | undefined = { kind: 'city' };
  // What the base map showed of the alerts last, so only changes are set.
  let shownStates = basemapStates([]);
  const paintAlertStates = (alerts: readonly Alert[]) => {
    const next = basemapStates(alerts);
    for (const cellId of shownStates.openReportsByCell.keys()) if (!next.openReportsByCell.has(cellId)) map.setFeatureState(cityFeature(map, 'grid-cells', cellId), { open: 0 });
    for (const [cellId, open] of next.openReportsByCell) map.setFeatureState(cityFeature(map, 'grid-cells', cellId), { open });
    for (const siteId of shownStates.offlineSites) if (!next.offlineSites.has(siteId)) map.setFeatureState(cityFeature(map, 'camera-sites', siteId), { offline: false });
    for (const siteId of next.offlineSites) map.setFeatureState(cityFeature(map, 'camera-sites', siteId), { offline: true });
    shownStates = next;
    (map.getSource('recent-events') as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: alerts.map((alert) => ({ type: 'Feature', properties: { severity: alert.severity }, geometry: { type: 'Point', coordinates: onMap.toMap([alert.lon, alert.lat]) } })),
    });
  };

  // Units' short trails (a replay shows them) and a unit's track.
  const past = new PastOverlays(scale, onMap.toMap);
  // The entity the map follows, and where the map last centred on it.
  let trackedSlot: number | undefined;
  let trackedAt: [number, number] = [Number.NaN, Number.NaN];
  /** Re-describes the layers from the table and the alerts; deck.gl re-reads only what changed. */
  const render = (table: EntityTable, alerts: AlertList, hidden: readonly string[], now: number): void => {
      // Without motion a severe alert stands at its largest instead of pulsing.
      const pulse = 1 + 0.35 * (motion ? 0.5 + 0.5 * Math.sin((2 * Math.PI * now) / pulseMs) : 1);
      overlay.setProps({
        layers: [
          // An emergency warning's area, under everything live: who is in it must stay visible.
          new PolygonLayer<Alert>({
            id: 'warning-areas',
            visible: !hidden.includes('alerts'),
            data: shownAlerts.filter((alert) => alert.area),
            getPolygon: (alert) => alert.area!.map((ring) => ring.map(onMap.toMap)),
            getFillColor: [...wallTheme.alerts[3]!, 40] as [number, number, number, number],
            getLineColor: wallTheme.alerts[3]!,
            getLineWidth: 2 * scale,
            lineWidthUnits: 'pixels',
            updateTriggers: { getPolygon: alerts.version },
          }),
          ...past.layers(table, hidden, now, clusters.current.clustered),
          entityLayer(table, hidden, clusters.current.clustered, clusters.version),
          ...clusterLayers(clusters.current.clusters, scale, clusters.version),
          new ScatterplotLayer<Alert>({
            id: 'alerts',
            visible: !hidden.includes('alerts'),
            data: shownAlerts,
            getPosition: (alert) => onMap.toMap([alert.lon, alert.lat]),
            getFillColor: (alert) => [...wallTheme.alerts[Math.min(3, alert.severity - 1)]!, 90] as [number, number, number, number],
            getLineColor: (alert) => wallTheme.alerts[Math.min(3, alert.severity - 1)]!,
            getRadius: (alert) => scale * (5 + 2 * alert.severity) * (alert.severity >= 3 ? pulse : 1),
            radiusUnits: 'pixels',
            stroked: true,
            lineWidthUnits: 'pixels',
            getLineWidth: 2 * scale,
            pickable: true,
            updateTriggers: { getRadius: now, getFillColor: alerts.version },
          }),
          // The followed unit's plate or call sign beside it, in the bundled font.
          new TextLayer<number>({
            id: 'followed-label',
            visible: trackedSlot !== undefined,
            data: trackedSlot === undefined ? [] : [trackedSlot],
            getPosition: (slot) => [table.shown[2 * slot]!, table.shown[2 * slot + 1]!],
            getText: (slot) => table.labels[slot] ?? '',
            characterSet: 'auto',
            fontFamily: '"Noto Sans SC", sans-serif',
            getSize: 18 * scale,
            sizeUnits: 'pixels',
            getColor: wallTheme.followed,
            getPixelOffset: [0, -26 * scale],
            background: true,
            getBackgroundColor: [7, 13, 23, 220],
            backgroundPadding: [6 * scale, 3 * scale],
            updateTriggers: { getPosition: table.version, getText: trackedSlot },
          }),
          // At street zoom the followed unit is as small as its neighbours; a ring says which it is.
          new ScatterplotLayer<number>({
            id: 'followed',
            visible: trackedSlot !== undefined,
            data: trackedSlot === undefined ? [] : [trackedSlot],
            getPosition: (slot) => [table.shown[2 * slot]!, table.shown[2 * slot + 1]!],
            getRadius: 16 * scale * pulse,
            radiusUnits: 'pixels',
            filled: false,
            stroked: true,
            getLineColor: wallTheme.followed,
            lineWidthUnits: 'pixels',
            getLineWidth: 3 * scale,
            pickable: true,
            updateTriggers: { getPosition: table.version },
          }),
        ],
      });
  };
  const followTracked = (table: EntityTable) => {
    if (trackedSlot === undefined) return;
    const at: [number, number] = [table.shown[2 * trackedSlot]!, table.shown[2 * trackedSlot + 1]!];
    if (at[0] === trackedAt[0] && at[1] === trackedAt[1]) return;
    map.jumpTo({ center: at, zoom: Number.isNaN(trackedAt[0]) ? Math.max(map.getZoom(), 16) : map.getZoom() });
    trackedAt = at;
  };
  // The toured district's outline (a feature state of the base map's districts).
  let outlined: string | null = null;
  const outlineDistrict = (id: string | null) => {
    if (!map.getSource('districts')) return;
    if (outlined) map.setFeatureState(cityFeature(map, 'districts', outlined), { toured: false });
    if (id) map.setFeatureState(cityFeature(map, 'districts', id), { toured: true });
    outlined = id;
  };
  const traffic = new RoadTraffic(map);
  return {
    map,
    overlay,
    /** Moves the view to a tour stop, gently enough to follow from across the room. */
    showStop(stop: TourStop, durationMs = tourFlightMs): void {
      framed = stop;
      outlineDistrict(stop.kind === 'district' ? city.districts[stop.index]!.id : null);
      if (stop.kind === 'alert') map.flyTo({ center: onMap.toMap([stop.alert.lon, stop.alert.lat]), zoom: Math.max(map.getZoom(), 15), duration: tourFlightMs, animate: motion });
      else map.fitBounds(stop.kind === 'city' ? framing.bbox : framing.districts[stop.index]!.bbox, { padding: 24 * scale, duration: durationMs, animate: motion });
    },
    /**
     * Keeps the wall's panels clear of what is framed: the map is padded by them, and a view the
     * wall chose (the whole city, a tour stop) is framed again in what is left.
     */
    setPanelInsets(insets: Insets): void {
      map.setPadding(insets);
      if (framed && trackedSlot === undefined) this.showStop(framed, 0);
    },
    /** Flies to a place found by search. */
    showPlace(lon: number, lat: number): void {
      framed = undefined;
      outlineDistrict(null);
      map.flyTo({ center: onMap.toMap([lon, lat]), zoom: Math.max(map.getZoom(), 16), duration: tourFlightMs, animate: motion });
    },
    /** Keeps one entity (by table slot) in the middle of the map as it moves; undefined stops. */
    track(slot: number | undefined): void {
      trackedSlot = slot;
      // Following a unit replaces the view the wall chose: letting go leaves the map where it is,
      // even when the panels change afterwards.
      if (slot !== undefined) [trackedAt, framed] = [[Number.NaN, Number.NaN], undefined];
    },
    get tracking(): boolean {
      return trackedSlot !== undefined;
    },
    /** Calls back when an operator (not the tour) moves the map. */
    onOperatorMove(callback: () => void): void {
      for (const event of ['dragstart', 'zoomstart', 'rotatestart'] as const) {
        map.on(event, (e: { originalEvent?: Event }) => {
          if (!e.originalEvent) return;
          framed = undefined;
          callback();
        });
      }
    },
    /** Colours road segments by their live congestion, once the roads are loaded. */
    showTraffic: (segments: readonly SegmentTraffic[]) => traffic.show(segments),
    /** Shows no congestion until traffic comes again (a replay jumped to another moment). */
    clearTraffic: () => traffic.clear(),
    /** Draws each unit's last few fixes behind it (on), or none. */
    showTrails: (on: boolean) => past.showTrails(on),
    /** Draws one unit's track and its stops, or none. */
    showTrack: (track: UnitTrack | undefined) => past.showTrack(track),
    /** Draws the place asked "who was here" about, or none. */
    showPlaceAsked: (asked: PlaceAsked | undefined) => past.showPlace(asked),
    /** Draws the table and the alerts, keeping entities gliding between reports and severe alerts pulsing. */
    follow(table: EntityTable, alerts: AlertList, hidden: () => readonly string[]): void {
      let drawnAt = 0;
      let tableDrawn = -1;
      let pastDrawn = -1;
      let alertsDrawn = -1;
      let hiddenDrawn = '';
      let alertsReadAt = 0;
      let heatShown = 'visible';
      /** Draws what changed; true while something animates (a glide, a pulse). */
      const draw = (now: number): boolean => {
        traffic.paint();
        const glided = table.advance(now);
        past.update(table);
        followTracked(table);
        const pulsing = motion && (trackedSlot !== undefined || shownAlerts.some((alert) => alert.severity >= 3));
        const alertsChanged = alerts.version !== alertsDrawn || now - alertsReadAt >= alertsRereadMs;
        if (alertsChanged) {
          shownAlerts = alerts.items();
          alertsReadAt = now;
        }
        const hiddenNow = hidden();
        // The heatmap is the base map's own layer: switched there when asked, once the style has it.
        const heat = hiddenNow.includes('heatmap') ? 'none' : 'visible';
        if (heat !== heatShown && map.getLayer('recent-events-heat')) {
          map.setLayoutProperty('recent-events-heat', 'visibility', heat);
          heatShown = heat;
        }
        // A new fix shown where it lands (no glide) changes the table without anything moving.
        const hiddenKey = hiddenNow.join();
        const regrouped = clusters.update(table, hiddenNow, map.getZoom(), trackedSlot, now);
        if (glided || pulsing || regrouped || table.version !== tableDrawn || past.version !== pastDrawn || alertsChanged || hiddenKey !== hiddenDrawn) {
          pastDrawn = past.version;
          alertsDrawn = alerts.version;
          tableDrawn = table.version;
          hiddenDrawn = hiddenKey;
          render(table, alerts, hiddenNow, now);
          if (alertsChanged && map.getSource('grid-cells') && map.getSource('camera-sites')) paintAlertStates(alerts.all());
          else if (alertsChanged) alertsDrawn = -1; // the base map is not ready: paint on a later frame
        }
        return glided || pulsing;
      };
      // While something animates the map draws on display frames (at most every frameEveryMs);
      // otherwise it looks for changes every idlePollMs without asking the browser for frames,
      // which in software WebGL cost a core even when nothing is drawn.
      const frame = (now: number) => {
        let animating = true;
        if (now - drawnAt >= frameEveryMs) {
          drawnAt = now;
          animating = draw(now);
        }
        if (animating) requestAnimationFrame(frame);
        else setTimeout(() => requestAnimationFrame(frame), idlePollMs);
      };
      requestAnimationFrame(frame);
    },
  };
}
export type CityMap = ReturnType<typeof createCityMap>;
