import type { ExpressionSpecification, LngLatBoundsLike } from 'maplibre-gl';
import type { CitySummary, PostureSnapshot } from '../streams/index.ts';
import { cityFeature, onCitySource, openBaseMap, tileLayerOf } from './base-map.ts';
import { cityOnMap, mapCoordinates } from './map-crs.ts';
import type { Language } from './i18n.ts';
import type { PostureAsk } from './posture-store.ts';
import { wallScale } from './theme.ts';

const chosenColor = '#ffd27a';

/**
 * The posture view's map: districts shaded by the cases opened in the window, grid cells of the
 * chosen district by theirs; a click drills into the district or cell under it, and the map
 * follows the place chosen.
 */
export function createPostureMap(container: HTMLElement, cityInWgs84: CitySummary, language: Language, onChoose: (place: { districtId: string | null; cellId: string | null }) => void) {
  // Framed in the base map's coordinates (a GCJ-02 map's, when it is one); its layers come so from the server.
  const city = cityOnMap(cityInWgs84, mapCoordinates(cityInWgs84.baseMap));
  // Lines and labels as big as the wall's at the same screen height.
  const map = openBaseMap(container, city, language, wallScale(window.innerHeight));
  // Shaded by the share of the most cases any place shown has, so a busy week and a quiet hour both read.
  const shade: ExpressionSpecification = ['interpolate', ['linear'], ['coalesce', ['feature-state', 'share'], 0], 0, 0, 1, 0.55];
  const chosen: ExpressionSpecification = ['boolean', ['feature-state', 'chosen'], false];
  map.on('load', () => {
    map.addLayer(onCitySource(map, { id: 'posture-districts', type: 'fill', source: 'districts', paint: { 'fill-color': '#4da3ff', 'fill-opacity': shade } }), 'grid-cells-open');
    map.addLayer(onCitySource(map, { id: 'posture-cells', type: 'fill', source: 'grid-cells', paint: { 'fill-color': '#ff8c42', 'fill-opacity': shade } }), 'water');
    map.addLayer(onCitySource(map, { id: 'posture-chosen-district', type: 'line', source: 'districts', paint: { 'line-color': chosenColor, 'line-width': ['case', chosen, 3, 0] } }));
    map.addLayer(onCitySource(map, { id: 'posture-cell-lines', type: 'line', source: 'grid-cells', paint: { 'line-color': ['case', chosen, chosenColor, '#1d3350'], 'line-width': ['case', chosen, 3, 0.5], 'line-opacity': ['case', chosen, 1, 0.7] } }));
  });

  let ask: PostureAsk | undefined;
  map.on('click', (event) => {
    if (!ask) return;
    const [cell] = map.queryRenderedFeatures(event.point, { layers: ['posture-cells'] });
    const [district] = map.queryRenderedFeatures(event.point, { layers: ['posture-districts'] });
    const districtId = (district?.id as string | undefined) ?? null;
    // The city drills into a district; inside the chosen district, a click picks its cell.
    if (ask.districtId && districtId === ask.districtId && cell) onChoose({ districtId, cellId: cell.id as string });
    else if (districtId) onChoose({ districtId, cellId: null });
  });

  const shown = { districts: new Set<string>(), cells: new Set<string>(), chosen: [] as { source: string; id: string }[] };
  const setOpened = (source: 'districts' | 'grid-cells', counts: Map<string, number>, was: Set<string>) => {
    const most = Math.max(1, ...counts.values());
    for (const id of was) if (!counts.has(id)) map.setFeatureState(cityFeature(map, source, id), { share: 0 });
    for (const [id, opened] of counts) map.setFeatureState(cityFeature(map, source, id), { share: opened / most });
    return new Set(counts.keys());
  };
  const boundsOf = (feature: { geometry: GeoJSON.Geometry }): LngLatBoundsLike => {
    const points = (feature.geometry as GeoJSON.Polygon).coordinates.flat();
    const lons = points.map((p) => p[0]!);
    const lats = points.map((p) => p[1]!);
    return [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
  };

  return {
    map,
    /** Marks the chosen place and flies to it. */
    follow(next: PostureAsk): void {
      const moved = next.districtId !== ask?.districtId || next.cellId !== ask?.cellId;
      // The page opens on its place at once (the city is where the map starts); later choices fly there.
      const duration = ask ? 800 : 0;
      ask = next;
      if (!moved) return;
      for (const { source, id } of shown.chosen) map.setFeatureState(cityFeature(map, source, id), { chosen: false });
      shown.chosen = [
        ...(next.districtId ? [{ source: 'districts', id: next.districtId }] : []),
        ...(next.cellId ? [{ source: 'grid-cells', id: next.cellId }] : []),
      ];
      const whenLoaded = () => {
        for (const { source, id } of shown.chosen) map.setFeatureState(cityFeature(map, source, id), { chosen: true });
        const cell = next.cellId ? map.querySourceFeatures('grid-cells', { ...tileLayerOf(map, 'grid-cells'), filter: ['==', ['get', 'id'], next.cellId] })[0] : undefined;
        const district = city.districts.find((d) => d.id === next.districtId);
        if (duration === 0 && !cell && !district) return;
        map.fitBounds(cell ? boundsOf(cell) : (district?.bbox ?? city.bbox), { padding: cell ? 120 : 24, maxZoom: 15, duration });
      };
      if (map.isStyleLoaded() && map.isSourceLoaded('grid-cells')) whenLoaded();
      else map.once('idle', whenLoaded);
    },
    /** Shades districts (city-wide) or the chosen district's cells by the cases opened in the window. */
    paint(snapshot: PostureSnapshot): void {
      const cases = snapshot.cases;
      if (!cases || !map.isStyleLoaded()) return;
      shown.districts = setOpened('districts', new Map(snapshot.query.districtId ? [] : cases.byDistrict.filter((d) => d.districtId).map((d) => [d.districtId!, d.opened])), shown.districts);
      shown.cells = setOpened('grid-cells', new Map(snapshot.query.districtId ? cases.topCells.map((c) => [c.cellId, c.opened]) : []), shown.cells);
    },
    resize: () => map.resize(),
  };
}
