-- Camera detector records, live traffic per road segment, and what camera analytics saw.
CREATE TABLE camera_readings (
  camera_id text NOT NULL REFERENCES cameras (id),
  period_start timestamptz NOT NULL,
  period_s integer NOT NULL,
  volume integer NOT NULL,
  occupancy_pct real NOT NULL,
  mean_speed_kmh real,
  received_at timestamptz NOT NULL,
  source_id text NOT NULL,
  -- A camera re-sending a period's record adds nothing.
  PRIMARY KEY (camera_id, period_start)
);

-- Live traffic on each segment a camera watches: speed against free-flow (the speed limit).
CREATE TABLE segment_traffic (
  segment_id text PRIMARY KEY REFERENCES road_segments (id),
  speed_kmh real,
  free_flow_kmh real NOT NULL,
  volume integer NOT NULL,
  occupancy_pct real NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE camera_events (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  camera_id text NOT NULL REFERENCES cameras (id),
  kind text NOT NULL,
  severity smallint NOT NULL,
  description text NOT NULL,
  event_time timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  source_id text NOT NULL,
  segment_id text REFERENCES road_segments (id),
  district_id text REFERENCES districts (id),
  cell_id text REFERENCES grid_cells (id),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX camera_events_time ON camera_events (event_time);
CREATE INDEX camera_events_geom ON camera_events USING gist (geom);
