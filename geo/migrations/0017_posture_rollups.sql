-- Rollups for the officials' posture boards, kept up in the same set-based statements that write
-- the live data: a 7-day board sums a few thousand rows, not millions. Each table holds rows per
-- minute (span_s 60, for the short ranges) and per hour (span_s 3600, for the long ones); a row
-- sums what happened in [start, start + span_s).

-- Traffic per district (of the reading's period). The congestion delay index (拥堵延时指数) of a
-- set of readings is delay_weighted / weight: the volume-weighted mean of free-flow speed over
-- measured speed, i.e. how much longer a trip takes than at free flow.
CREATE TABLE traffic_rollup (
  span_s integer NOT NULL CHECK (span_s IN (60, 3600)),
  start timestamptz NOT NULL,
  district_id text NOT NULL REFERENCES districts (id),
  readings integer NOT NULL,
  weight double precision NOT NULL,
  delay_weighted double precision NOT NULL,
  PRIMARY KEY (span_s, start, district_id)
);

-- When a camera last sent a detector record: a camera that falls silent counts offline without saying so.
ALTER TABLE cameras ADD COLUMN last_seen_at timestamptz;

-- Bus timetable adherence per route (of the bus's report): reports with a known delay, how many
-- of them were on time, and their summed delay.
CREATE TABLE bus_rollup (
  span_s integer NOT NULL CHECK (span_s IN (60, 3600)),
  start timestamptz NOT NULL,
  route_id text NOT NULL REFERENCES bus_routes (id),
  observations integer NOT NULL,
  on_time integer NOT NULL,
  delay_s_sum bigint NOT NULL,
  PRIMARY KEY (span_s, start, route_id)
);

-- Ingest per source (of receipt): 'accepted', or the reason input was refused.
CREATE TABLE feed_rollup (
  span_s integer NOT NULL CHECK (span_s IN (60, 3600)),
  start timestamptz NOT NULL,
  source text NOT NULL,
  outcome text NOT NULL,
  count integer NOT NULL,
  PRIMARY KEY (span_s, start, source, outcome)
);
