-- Whole-city replay (issue 21): every unit's latest position, kept about once a minute, so a seek
-- reads the last keyframe and the fixes since (a minute of them) instead of every fix of the ten
-- minutes before (a megacity's 5.7 million rows, past the statement timeout). Kept in partitions by
-- time like position history, as long; read by time, never by place (no spatial index).
CREATE TABLE position_keyframes (
  at timestamptz NOT NULL,
  entity_id text NOT NULL REFERENCES entities (id),
  fix_time timestamptz NOT NULL,
  geom geometry(Point, 4326) NOT NULL,
  heading_deg real,
  speed_kmh real,
  district_id text,
  cell_id text,
  PRIMARY KEY (at, entity_id)
) PARTITION BY RANGE (at);
CREATE TABLE position_keyframes_default PARTITION OF position_keyframes DEFAULT;
