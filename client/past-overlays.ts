import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { UnitTrack } from '../streams/index.ts';
import type { EntityTable } from './entity-table.ts';
import { UnitTrails } from './unit-trails.ts';
import type { PlaceAsked } from './who-was-here.ts';

const trackColor: [number, number, number] = [255, 255, 255];
const stopColor: [number, number, number] = [255, 176, 0];

/**
 * What the map draws of the past over the live layers: units' short trails (while a replay
 * plays), one unit's track with its stops (轨迹回放) asked for from a unit's details, and the place
 * asked "who was here" about with where each unit came closest.
 */
export class PastOverlays {
  private trails: UnitTrails | undefined;
  private track: UnitTrack | undefined;
  private place: PlaceAsked | undefined;
  /** Rises when what is drawn changes other than with the table (a track shown, trails switched). */
  version = 0;

  constructor(
    private readonly scale: number,
    private readonly toMap: (at: [number, number]) => [number, number],
  ) {}

  showTrails(on: boolean): void {
    if (on === Boolean(this.trails)) return;
    this.trails = on ? new UnitTrails() : undefined;
    this.version += 1;
  }

  showTrack(track: UnitTrack | undefined): void {
    this.track = track;
    this.version += 1;
  }

  showPlace(place: PlaceAsked | undefined): void {
    this.place = place;
    this.version += 1;
  }

  /** Takes the table's newest fixes into the trails. */
  update(table: EntityTable): void {
    this.trails?.update(table);
  }

  /** `clustered` flags the units drawn inside a cluster (no trail of their own). */
  layers(table: EntityTable, hidden: readonly string[], now: number, clustered?: Uint8Array): Layer[] {
    const { scale, toMap, track } = this;
    const layers: Layer[] = [];
    if (this.trails) layers.push(this.trails.layer(table, hidden, scale, now, clustered));
    if (track) {
      layers.push(
        new PathLayer<UnitTrack>({
          id: 'unit-track',
          data: [track],
          getPath: (shown) => shown.points.map((point) => toMap([point.lon, point.lat])),
          getColor: [...trackColor, 230] as [number, number, number, number],
          getWidth: 4 * scale,
          widthUnits: 'pixels',
          capRounded: true,
          jointRounded: true,
          updateTriggers: { getPath: this.version },
        }) as Layer,
        this.markers('unit-track-stops', track.stops, 9, [...stopColor, 220]),
      );
    }
    if (this.place) layers.push(...this.placeLayers(this.place));
    return layers;
  }

  /** The circle asked about, and where each unit that passed came closest. */
  private placeLayers(place: PlaceAsked): Layer[] {
    const { scale, toMap } = this;
    return [
      new ScatterplotLayer<PlaceAsked>({
        id: 'place-asked',
        data: [place],
        getPosition: (asked) => toMap(asked.center),
        getRadius: (asked) => asked.radiusM,
        radiusUnits: 'meters',
        getFillColor: [...stopColor, 30] as [number, number, number, number],
        getLineColor: stopColor,
        getLineWidth: 3 * scale,
        lineWidthUnits: 'pixels',
        stroked: true,
        updateTriggers: { getPosition: this.version, getRadius: this.version },
      }) as Layer,
      this.markers('place-asked-units', place.units, 6, [...trackColor, 255]),
    ];
  }

  /** A dot of `radiusPx` (on the wall's scale), dark-rimmed, at each point. */
  private markers(id: string, points: readonly { lon: number; lat: number }[], radiusPx: number, color: [number, number, number, number]): Layer {
    const { scale, toMap } = this;
    return new ScatterplotLayer<{ lon: number; lat: number }>({
      id,
      data: points,
      getPosition: (point) => toMap([point.lon, point.lat]),
      getRadius: radiusPx * scale,
      radiusUnits: 'pixels',
      getFillColor: color,
      getLineColor: [20, 14, 0],
      getLineWidth: 2 * scale,
      lineWidthUnits: 'pixels',
      stroked: true,
      updateTriggers: { getPosition: this.version },
    }) as Layer;
  }
}
