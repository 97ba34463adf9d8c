import { PathLayer, ScatterplotLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import type { TrackStop, UnitTrack } from '../streams/index.ts';
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

  layers(table: EntityTable, hidden: readonly string[], now: number): Layer[] {
    const { scale, toMap, track } = this;
    const layers: Layer[] = [];
    if (this.trails) layers.push(this.trails.layer(table, hidden, scale, now));
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
        new ScatterplotLayer<TrackStop>({
          id: 'unit-track-stops',
          data: track.stops,
          getPosition: (stop) => toMap([stop.lon, stop.lat]),
          getRadius: 9 * scale,
          radiusUnits: 'pixels',
          getFillColor: [...stopColor, 220] as [number, number, number, number],
          getLineColor: [20, 14, 0],
          getLineWidth: 2 * scale,
          lineWidthUnits: 'pixels',
          stroked: true,
          updateTriggers: { getPosition: this.version },
        }) as Layer,
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
      new ScatterplotLayer<PlaceAsked['units'][number]>({
        id: 'place-asked-units',
        data: place.units,
        getPosition: (unit) => toMap([unit.lon, unit.lat]),
        getRadius: 6 * scale,
        radiusUnits: 'pixels',
        getFillColor: trackColor,
        getLineColor: [20, 14, 0],
        getLineWidth: 2 * scale,
        lineWidthUnits: 'pixels',
        stroked: true,
        updateTriggers: { getPosition: this.version },
      }) as Layer,
    ];
  }
}
