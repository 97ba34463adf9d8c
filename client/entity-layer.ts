import { IconLayer } from '@deck.gl/layers';
import { drawEntityIcons, type EntityIconName } from './entity-icons.ts';
import { entityKindOrder, type EntityTable } from './entity-table.ts';
import { entityRadiusPx } from './theme.ts';

/**
 * The live entities as one deck.gl layer, re-described per frame from the table. `scale` enlarges
 * icons for big walls (see wallScale).
 */
export function createEntityLayer(scale: number) {
  const atlas = drawEntityIcons(entityKindOrder);
  // An icon spans a little more than the dot it replaces, so the arrow's direction reads from afar.
  const iconPx = entityKindOrder.map((kind) => 2.6 * scale * entityRadiusPx[kind]);
  const iconNames = entityKindOrder.map((kind) => [`${kind}:still`, `${kind}:heading`] as EntityIconName[]);
  // deck.gl reads the table's own arrays as binary attributes: no object, no accessor call per
  // entity per frame. The data object is replaced only when the table grows.
  let entityData: { length: number; attributes: Record<string, { value: Float64Array | Float32Array; size: number }> } = { length: 0, attributes: {} };
  let iconSizes = new Float32Array(0);
  let iconSizesFor = '';
  /** `clustered` flags the slots drawn inside a cluster instead (see clusterUnits); `clusteredVersion` rises when it changes. */
  return (table: EntityTable, hidden: readonly string[] = [], clustered?: Uint8Array, clusteredVersion = 0): IconLayer<unknown> => {
    const sizesFor = `${table.size}:${hidden.join()}:${clusteredVersion}`;
    if (iconSizesFor !== sizesFor) {
      iconSizesFor = sizesFor;
      // A switched-off kind or a clustered unit has no size: neither drawn nor pickable.
      iconSizes = Float32Array.from({ length: table.size }, (_, slot) => (hidden.includes(table.kindOf(slot)) || clustered?.[slot] ? 0 : iconPx[table.kinds[slot]!]!));
    }
    if (entityData.length !== table.size) entityData = { length: table.size, attributes: {} };
    // Fresh descriptors over the same arrays: deck.gl re-uploads a binary attribute whose descriptor changed.
    entityData.attributes = { getPosition: { value: table.shown, size: 2 }, getAngle: { value: table.iconAngles, size: 1 }, getSize: { value: iconSizes, size: 1 } };
    return new IconLayer<unknown>({
      id: 'live-entities',
      data: entityData as never,
      iconAtlas: atlas.canvas as never,
      iconMapping: atlas.mapping,
      getIcon: (_: unknown, { index }: { index: number }) => iconNames[table.kinds[index]!]![Number.isNaN(table.headings[index]!) ? 0 : 1]!,
      sizeUnits: 'pixels',
      billboard: false,
      pickable: true,
      updateTriggers: { getIcon: table.iconVersion, getPosition: table.version, getAngle: table.version, getSize: iconSizesFor },
    });
  };
}
