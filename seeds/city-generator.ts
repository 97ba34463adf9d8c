import {
  bearingDeg,
  cumulativeLengths,
  localFrame,
  pointAlong,
  type CameraSiteKind,
  type CityData,
  type LonLat,
  type Metres,
  type RoadClass,
} from '../geo/index.ts';
import { blockRing, jitteredLattice, pointInRing, splitEvenly, type MetreRing } from './area-tiling.ts';
import { nthName } from './names.ts';
import type { CityProfile } from './profiles.ts';
import { createRandom, type Random } from '../geo/index.ts';
import { fastestPath, generateStreetNetwork, type StreetNetwork } from './street-network.ts';

/** Bumped whenever the same profile would generate a different city. */
export const generatorVersion = 2;

const speedLimitKmh: Record<RoadClass, number> = { expressway: 80, arterial: 60, collector: 50, local: 30 };
// Buses keep to the bigger roads: plan their routes with these speeds, km/h.
const busPlanningSpeedKmh: Record<RoadClass, number> = { expressway: 50, arterial: 45, collector: 30, local: 12 };
const busStopSpacingM = 450;
// Timetable: scheduled speed with stops included, km/h, and the layover at each terminus, s.
const busScheduledSpeedKmh = 20;
const busLayoverS = 60;
const routeColors = ['#f6c344', '#4cc9f0', '#f72585', '#7bd389', '#ff8c42', '#b388eb', '#3ddbd9', '#ff5d73', '#c0e66d', '#5fa8ff'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Builds the whole city for a profile; the same profile always builds the same city. */
export function generateCity(profile: CityProfile): CityData {
  const random = createRandom(profile.seed);
  const frame = localFrame(profile.center);
  const halfW = (profile.widthKm * 1000) / 2;
  const halfH = (profile.heightKm * 1000) / 2;
  const ringToLonLat = (ring: MetreRing) => ring.map(frame.toLonLat);

  const network = generateStreetNetwork(profile, random, frame.toLonLat);
  const areas = generateAreas(profile, random, halfW, halfH);
  const districtAt = (at: Metres): string =>
    areas.districts.find((district) => pointInRing(at, district.ring))?.id ?? areas.districts[0]!.id;
  const cityAt = (lonLat: LonLat): Metres => frame.toMetres(lonLat);

  const cameras = placeCameras(profile, network, random, (node) => districtAt(cityAt(network.nodes[node]!.lonLat)));
  const policeStations = Array.from({ length: profile.policeStations }, (_, index) => {
    const node = random.pick(network.nodes);
    const [zh, en] = nthName((index * 7) % 40, (n) => [`第${n}`, `No. ${n}`]);
    return { id: `ps-${pad(index + 1, 2)}`, nameZh: `${zh}派出所`, nameEn: `${en} Police Station`, districtId: districtAt(node.at), point: node.lonLat };
  });
  const bus = generateBusRoutes(profile, network, random);

  const randomNode = () => random.pick(network.nodes);
  const entities: CityData['entities'] = [];
  for (let i = 1; i <= profile.policeCars; i++) {
    const node = randomNode();
    const station = policeStations[i % policeStations.length]!;
    entities.push({ id: `pc-${pad(i, 4)}`, kind: 'police-car', label: `${profile.platePrefix}${pad(i, 4)}警`, status: 'patrol', stationId: station.id, point: node.lonLat, headingDeg: 0 });
  }
  for (let i = 1; i <= profile.policeOfficers; i++) {
    const station = policeStations[i % policeStations.length]!;
    entities.push({ id: `po-${pad(i, 4)}`, kind: 'police-officer', label: `警号 ${pad(10_000 + i, 6)}`, status: 'on-duty', stationId: station.id, point: randomNode().lonLat, headingDeg: 0 });
  }
  for (let i = 1; i <= profile.inspectors; i++) {
    entities.push({ id: `insp-${pad(i, 4)}`, kind: 'inspector', label: `网格员 ${pad(i, 4)}`, status: 'on-duty', point: randomNode().lonLat, headingDeg: 0 });
  }
  entities.push(...bus.buses);
  for (let i = 1; i <= profile.taxis; i++) {
    entities.push({ id: `taxi-${pad(i, 4)}`, kind: 'taxi', label: `${profile.platePrefix}T${pad(i, 4)}`, status: 'vacant', point: randomNode().lonLat, headingDeg: 0 });
  }
  for (let i = 1; i <= profile.trucks; i++) {
    entities.push({ id: `truck-${pad(i, 4)}`, kind: 'truck', label: `${profile.platePrefix}${pad(50_000 + i, 5)}`, status: 'on-road', point: randomNode().lonLat, headingDeg: 0 });
  }

  return {
    profile: profile.id,
    nameZh: profile.nameZh,
    nameEn: profile.nameEn,
    seed: profile.seed,
    generatorVersion,
    center: profile.center,
    bounds: ringToLonLat(blockRing(jitteredLattice(1, 1, halfW, halfH, random, 0), 0, 0, 1, 1)),
    districts: areas.districts.map((d) => ({ id: d.id, nameZh: d.nameZh, nameEn: d.nameEn, ring: ringToLonLat(d.ring) })),
    communities: areas.communities.map((c) => ({ ...c, ring: ringToLonLat(c.ring) })),
    gridCells: areas.cells.map((cell) => ({ id: cell.id, districtId: districtAt(ringCentre(cell.ring)), ring: ringToLonLat(cell.ring) })),
    water: [{ id: 'water-01', nameZh: profile.river.zh, nameEn: profile.river.en, ring: ringToLonLat(riverRing(halfW, halfH, random)) }],
    roads: network.roads,
    roadSegments: network.edges.map((edge) => ({
      id: edge.id,
      roadId: edge.roadId,
      fromNode: edge.from,
      toNode: edge.to,
      lengthM: Math.round(edge.lengthM * 10) / 10,
      speedLimitKmh: speedLimitKmh[edge.roadClass],
      line: [network.nodes[edge.from]!.lonLat, network.nodes[edge.to]!.lonLat],
    })),
    cameraSites: cameras.sites,
    cameras: cameras.cameras,
    policeStations,
    busStops: bus.stops,
    busRoutes: bus.routes,
    entities,
  };
}

function ringCentre(ring: MetreRing): Metres {
  const corners = ring.slice(0, -1);
  return [corners.reduce((sum, p) => sum + p[0], 0) / corners.length, corners.reduce((sum, p) => sum + p[1], 0) / corners.length];
}

function generateAreas(profile: CityProfile, random: Random, halfW: number, halfH: number) {
  const { columns, rows } = profile.communityGrid;
  const lattice = jitteredLattice(columns, rows, halfW, halfH, random, 0.25);
  const districtRows = Math.ceil(profile.districts.length / profile.districtColumns);
  const columnCuts = splitEvenly(columns, profile.districtColumns);
  const rowCuts = splitEvenly(rows, districtRows);
  // Districts are listed row by row from the north-west; lattice rows count from the south.
  const districts = profile.districts.map((names, index) => {
    const column = index % profile.districtColumns;
    const row = districtRows - 1 - Math.floor(index / profile.districtColumns);
    const block = { c0: columnCuts[column]!, c1: columnCuts[column + 1]!, r0: rowCuts[row]!, r1: rowCuts[row + 1]! };
    return { id: `d-${pad(index + 1, 2)}`, nameZh: names.zh, nameEn: names.en, block, ring: blockRing(lattice, block.c0, block.r0, block.c1, block.r1) };
  });
  const weights = Array.from({ length: columns * rows }, () => random.between(0.6, 1.4));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const communities: { id: string; districtId: string; nameZh: string; nameEn: string; residents: number; ring: MetreRing }[] = [];
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const index = communities.length;
      const district = districts.find(({ block }) => column >= block.c0 && column < block.c1 && row >= block.r0 && row < block.r1)!;
      const [zh, en] = nthName(index, (n) => [`第${n}`, `No. ${n}`]);
      communities.push({
        id: `cm-${pad(index + 1, 3)}`,
        districtId: district.id,
        nameZh: `${zh}社区`,
        nameEn: `${en} Community`,
        residents: Math.round((profile.residents * weights[index]!) / weightSum),
        ring: blockRing(lattice, column, row, column + 1, row + 1),
      });
    }
  }
  // Grid-management cells: a regular grid of about gridCellM, as cities draw them.
  const cellColumns = Math.round((2 * halfW) / profile.gridCellM);
  const cellRows = Math.round((2 * halfH) / profile.gridCellM);
  const cellLattice = jitteredLattice(cellColumns, cellRows, halfW, halfH, random, 0);
  const cells: { id: string; ring: MetreRing }[] = [];
  for (let row = 0; row < cellRows; row++) {
    for (let column = 0; column < cellColumns; column++) {
      cells.push({ id: `cell-${pad(row, 3)}-${pad(column, 3)}`, ring: blockRing(cellLattice, column, row, column + 1, row + 1) });
    }
  }
  return { districts, communities, cells };
}

/** A river crossing the city west to east in gentle meanders, 60–90 m wide. */
function riverRing(halfW: number, halfH: number, random: Random): MetreRing {
  const baseY = random.between(-0.3, 0.3) * halfH;
  const amplitude = random.between(0.05, 0.1) * halfH;
  const wavelength = random.between(0.5, 0.9) * halfW;
  const phase = random.between(0, 2 * Math.PI);
  const halfWidth = random.between(30, 45);
  const steps = Math.ceil((2 * halfW) / 100);
  const centre = Array.from({ length: steps + 1 }, (_, s): Metres => {
    const x = -halfW + (2 * halfW * s) / steps;
    return [x, baseY + amplitude * Math.sin((2 * Math.PI * x) / wavelength + phase)];
  });
  const side = (sign: number) =>
    centre.map(([x, y], s): Metres => {
      const [x0, y0] = centre[Math.max(s - 1, 0)]!;
      const [x1, y1] = centre[Math.min(s + 1, steps)]!;
      const length = Math.hypot(x1 - x0, y1 - y0);
      // Keep the ends on the city's edge so the river runs out of the map, not into a point.
      const nx = s === 0 || s === steps ? 0 : (-(y1 - y0) / length) * halfWidth * sign;
      const ny = ((x1 - x0) / length) * halfWidth * sign;
      return [x + nx, y + ny];
    });
  const ring = [...side(-1), ...side(1).reverse()];
  ring.push(ring[0]!);
  return ring;
}

function placeCameras(profile: CityProfile, network: StreetNetwork, random: Random, districtOfNode: (node: number) => string) {
  const rank: Record<RoadClass, number> = { local: 0, collector: 1, arterial: 2, expressway: 3 };
  const kinds: CameraSiteKind[] = (['e-police', 'smart-light', 'hd-video'] as const).flatMap((kind) =>
    Array<CameraSiteKind>(profile.cameraSites[kind]).fill(kind),
  );
  if (kinds.length > network.nodes.length) {
    throw new Error(`profile ${profile.id}: ${kinds.length} camera sites need as many street crossings but the network has ${network.nodes.length}; lower streetSpacingM`);
  }
  // Busy crossings first (more and bigger roads meeting), ties broken at random.
  const crossings = network.nodes
    .map((node) => ({ node, score: network.edgesAt[node.id]!.reduce((sum, e) => sum + 1 + rank[e.roadClass], 0) + random.next() }))
    .sort((a, b) => b.score - a.score)
    .slice(0, kinds.length);
  const perSite = Math.floor(profile.cameras / kinds.length);
  const extra = profile.cameras % kinds.length;
  const sites: CityData['cameraSites'] = [];
  const cameras: CityData['cameras'] = [];
  for (const [index, { node }] of crossings.entries()) {
    const siteId = `site-${pad(index + 1, 4)}`;
    const kind = kinds[index]!;
    sites.push({ id: siteId, kind, nameZh: node.nameZh, nameEn: node.nameEn, districtId: districtOfNode(node.id), point: node.lonLat });
    const approaches = network.edgesAt[node.id]!;
    for (let k = 0; k < perSite + (index < extra ? 1 : 0); k++) {
      // Each camera looks down one approach to the crossing.
      const edge = approaches[k % approaches.length]!;
      const away = network.nodes[edge.from === node.id ? edge.to : edge.from]!;
      cameras.push({ id: `cam-${pad(cameras.length + 1, 5)}`, siteId, headingDeg: Math.round(bearingDeg(node.lonLat, away.lonLat)), segmentId: edge.id });
    }
  }
  return { sites, cameras };
}

function generateBusRoutes(profile: CityProfile, network: StreetNetwork, random: Random) {
  const minSpanM = 0.45 * Math.min(profile.widthKm, profile.heightKm) * 1000;
  const stops = new Map<number, CityData['busStops'][number]>();
  const routes: CityData['busRoutes'] = [];
  const buses: CityData['entities'] = [];
  const busesPerRoute = splitEvenly(profile.buses, profile.busRoutes);
  for (let r = 0; r < profile.busRoutes; r++) {
    let path: number[] = [];
    for (let attempt = 0; path.length < 2 && attempt < 50; attempt++) {
      const [a, b] = [random.pick(network.nodes), random.pick(network.nodes)];
      if (Math.hypot(a.at[0] - b.at[0], a.at[1] - b.at[1]) >= minSpanM) path = fastestPath(network, a.id, b.id, (c) => busPlanningSpeedKmh[c]);
    }
    if (path.length < 2) throw new Error(`profile ${profile.id}: no bus route of ${minSpanM} m found; the street network is too small`);
    const line = path.map((node) => network.nodes[node]!.lonLat);
    const lengths = cumulativeLengths(line);
    const stopIds: string[] = [];
    let lastStopAt = -Infinity;
    for (const [i, node] of path.entries()) {
      if (lengths[i]! - lastStopAt < busStopSpacingM && i !== path.length - 1) continue;
      lastStopAt = lengths[i]!;
      const street = network.nodes[node]!;
      if (!stops.has(node)) stops.set(node, { id: `stop-${pad(node, 5)}`, nameZh: `${street.nameZh}站`, nameEn: street.nameEn, point: street.lonLat });
      stopIds.push(stops.get(node)!.id);
    }
    const routeId = `route-${pad(r + 1, 3)}`;
    const count = busesPerRoute[r + 1]! - busesPerRoute[r]!;
    // The fleet of a route covers one round trip: it leaves each terminus every round trip / fleet.
    const roundTripS = 2 * (lengths.at(-1)! / (busScheduledSpeedKmh / 3.6) + busLayoverS);
    const headwayS = Math.max(120, Math.round(roundTripS / Math.max(1, count) / 60) * 60);
    routes.push({
      id: routeId,
      nameZh: `${r + 1}路`,
      nameEn: `Route ${r + 1}`,
      color: routeColors[r % routeColors.length]!,
      line,
      stopIds,
      headwayS,
      scheduledSpeedKmh: busScheduledSpeedKmh,
      utcOffsetMin: profile.utcOffsetHours * 60,
    });
    for (let k = 0; k < count; k++) {
      // Spread the fleet evenly along the route, as a timetable would.
      const { at, headingDeg } = pointAlong(line, lengths, (lengths.at(-1)! * k) / count);
      buses.push({ id: `bus-${pad(buses.length + 1, 4)}`, kind: 'bus', label: `${r + 1}路-${pad(k + 1, 2)}`, status: 'in-service', routeId, point: at, headingDeg: Math.round(headingDeg) });
    }
  }
  return { routes, stops: [...stops.values()], buses };
}
