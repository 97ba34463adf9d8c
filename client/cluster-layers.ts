import { ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { entityKindOrder } from './entity-table.ts';
import { entityColors } from './theme.ts';
import { clusterRadiusPx, type UnitCluster } from './unit-clusters.ts';

/**
 * Clusters as a disc in their kind's colour with the count on it, in the bundled font: a count
 * reads from across the room where a hundred overlapping 5-px icons read as a smudge.
 */
// The wall's background colour (wallTheme.background), RGB: the count in the disc, the disc's rim.
const background: [number, number, number] = [7, 13, 23];

export function clusterLayers(clusters: readonly UnitCluster[], scale: number, version: number) {
  const colour = (cluster: UnitCluster) => entityColors[entityKindOrder[cluster.kind]!];
  return [
    new ScatterplotLayer<UnitCluster>({
      id: 'unit-clusters',
      data: clusters,
      getPosition: (cluster) => [cluster.lon, cluster.lat],
      getRadius: (cluster) => scale * clusterRadiusPx(cluster.slots.length),
      radiusUnits: 'pixels',
      getFillColor: (cluster) => [...colour(cluster), 225] as [number, number, number, number],
      stroked: true,
      getLineColor: background,
      lineWidthUnits: 'pixels',
      getLineWidth: 2 * scale,
      pickable: true,
      updateTriggers: { getPosition: version, getRadius: version, getFillColor: version },
    }),
    new TextLayer<UnitCluster>({
      id: 'unit-cluster-counts',
      data: clusters,
      getPosition: (cluster) => [cluster.lon, cluster.lat],
      getText: (cluster) => String(cluster.slots.length),
      characterSet: '0123456789',
      fontFamily: '"Noto Sans SC", sans-serif',
      fontWeight: 700,
      getSize: 15 * scale,
      sizeUnits: 'pixels',
      getColor: background,
      updateTriggers: { getPosition: version, getText: version },
    }),
  ];
}

