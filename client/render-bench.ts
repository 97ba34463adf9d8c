// The page behind `npm run bench wall-render` (bench/wall-render.ts builds and drives it; the
// product's build leaves it out). `?mode=binary` draws updates the wall's way: a binary position
// frame into the EntityTable, read by deck.gl as binary attributes. `?mode=geojson` is the usual
// way, the baseline: the JSON a socket delivers, parsed, made into GeoJSON, and handed to a
// MapLibre source with setData. Same map, same entities, same updates.
import { MapLibreOverlay } from '@deck.gl/maplibre';
import { Map as MapLibreMap, setWorkerUrl, type GeoJSONSource } from 'maplibre-gl';
import maplibreWorkerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import type { EntityKind, PositionFrame } from '../streams/index.ts';
import { createEntityLayer } from './entity-layer.ts';
import { entityKindOrder, EntityTable } from './entity-table.ts';

const params = new URLSearchParams(location.search);
const mode = params.get('mode') === 'geojson' ? 'geojson' : 'binary';
const count = Number(params.get('n') ?? 1_000);
const bounds: [number, number, number, number] = [84.6, 45.4, 85.2, 45.8];

// Every update moves every entity a little: the heaviest case for both ways.
const lonOf = (i: number, update: number) => bounds[0] + ((i * 7919) % 10_007) / 10_007 * 0.6 + update * 2e-5;
const latOf = (i: number, update: number) => bounds[1] + ((i * 104_729) % 10_009) / 10_009 * 0.4 + update * 1e-5;
const kindOf = (i: number): EntityKind => entityKindOrder[i % 5]!;

function frameFor(update: number): PositionFrame {
  const origin: [number, number] = [bounds[0], bounds[1]];
  const lonLat = new Float32Array(2 * count);
  for (let i = 0; i < count; i++) {
    lonLat[2 * i] = lonOf(i, update) - origin[0];
    lonLat[2 * i + 1] = latOf(i, update) - origin[1];
  }
  return {
    seq: update + 1,
    keyframe: update === 0,
    sentAt: Date.now(),
    origin,
    newEntities: update === 0 ? Array.from({ length: count }, (_, i) => ({ id: `unit-${i}`, kind: kindOf(i), label: `unit ${i}` })) : [],
    newStatuses: update === 0 ? ['patrol'] : [],
    rows: count,
    slots: Uint32Array.from({ length: count }, (_, i) => i).buffer,
    lonLat: lonLat.buffer,
    heading: Float32Array.from({ length: count }, (_, i) => (i * 37 + update) % 360).buffer,
    speed: new Float32Array(count).fill(30).buffer,
    status: new Uint8Array(count).buffer,
    fixAgeMs: new Float32Array(count).fill(500).buffer,
  };
}

function jsonFor(update: number): string {
  const at = new Date().toISOString();
  return JSON.stringify(
    Array.from({ length: count }, (_, i) => ({
      id: `unit-${i}`, kind: kindOf(i), label: `unit ${i}`, lon: lonOf(i, update), lat: latOf(i, update), headingDeg: (i * 37 + update) % 360, speedKmh: 30,
      status: 'patrol', districtId: 'd-01', cellId: 'cell-001-001', updatedAt: at,
    })),
  );
}

setWorkerUrl(maplibreWorkerUrl);
const map = new MapLibreMap({
  container: 'map',
  style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#070d17' } }] },
  bounds,
  attributionControl: false,
});
await new Promise((resolve) => map.once('load', resolve));
// When an update is on screen: MapLibre is idle once its worker has tiled the GeoJSON and it drew;
// deck.gl draws on its own canvas in its own animation frame, so two frames later it has drawn.
const nextFrame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const drawn = mode === 'geojson' ? () => new Promise((resolve) => map.once('idle', resolve)) : async () => (await nextFrame(), await nextFrame());

let update: (n: number) => void;
if (mode === 'binary') {
  const table = new EntityTable();
  const overlay = new MapLibreOverlay({ layers: [] });
  map.addControl(overlay);
  const entityLayer = createEntityLayer(1);
  update = (n) => {
    table.applyFrame(frames[n]!);
    table.advance(performance.now() + 60_000); // straight to the fix: the glide is per frame, not per update
    overlay.setProps({ layers: [entityLayer(table)] });
  };
} else {
  map.addSource('entities', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: 'entities', type: 'circle', source: 'entities', paint: { 'circle-radius': 3, 'circle-color': '#4da3ff' } });
  const source = map.getSource('entities') as GeoJSONSource;
  update = (n) => {
    const entities = JSON.parse(payloads[n]!) as { id: string; lon: number; lat: number; kind: string; headingDeg: number }[];
    source.setData({
      type: 'FeatureCollection',
      features: entities.map((e) => ({ type: 'Feature', properties: { id: e.id, kind: e.kind, heading: e.headingDeg }, geometry: { type: 'Point', coordinates: [e.lon, e.lat] } })),
    });
  };
}
// Payloads are made before measuring: the bench times what a client does with an update, not its making.
const updates = Number(params.get('updates') ?? 20);
const payloads = mode === 'geojson' ? Array.from({ length: updates + 1 }, (_, n) => jsonFor(n)) : [];
const frames = mode === 'binary' ? Array.from({ length: updates + 1 }, (_, n) => frameFor(n)) : [];

Object.assign(window, {
  renderBench: {
    /** Applies the first update (keyframe) and waits until it is drawn. */
    async prepare() {
      update(0);
      await drawn();
    },
    /** Applies updates 1…n, each drawn before the next. */
    async run() {
      for (let n = 1; n <= updates; n++) {
        update(n);
        await drawn();
      }
    },
  },
});
