-- A city brought in from its own files (`npm run import`). Each import has a name; every row it
-- wrote carries that name, so importing again updates exactly its rows and removing it removes
-- exactly them. What it read (files, digests) and what it took or refused is kept with it.
CREATE TABLE imports (
  name text PRIMARY KEY,
  kind text NOT NULL,
  files jsonb NOT NULL,
  crs text NOT NULL DEFAULT 'wgs84' CHECK (crs IN ('wgs84', 'gcj02', 'bd09')),
  summary jsonb NOT NULL,
  imported_at timestamptz NOT NULL DEFAULT now()
);

-- A generated demo city has a profile and a seed; an imported one has neither.
ALTER TABLE city ADD COLUMN source text NOT NULL DEFAULT 'generated' CHECK (source IN ('generated', 'imported'));

ALTER TABLE districts ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE communities ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE grid_cells ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE water ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE roads ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE road_segments ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE camera_sites ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE cameras ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE police_stations ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE bus_stops ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE bus_routes ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE bus_route_stops ADD COLUMN import_name text REFERENCES imports (name);
ALTER TABLE entities ADD COLUMN import_name text REFERENCES imports (name);

-- A real timetable from GTFS static, beside the generated cities' frequency timetable
-- (bus_routes.headway_s): trips on their own shapes, each stop's scheduled times as seconds from
-- the service day's noon minus 12 h in the agency's time zone (GTFS), the days each service runs.
CREATE TABLE bus_shapes (
  id text PRIMARY KEY,
  import_name text NOT NULL REFERENCES imports (name),
  geom geometry(LineString, 4326) NOT NULL
);
CREATE INDEX bus_shapes_geom ON bus_shapes USING gist (geom);

CREATE TABLE bus_services (
  id text PRIMARY KEY,
  import_name text NOT NULL REFERENCES imports (name),
  -- Bit 0 Monday … bit 6 Sunday (calendar.txt); 0 for a service given only by dates.
  weekdays smallint NOT NULL DEFAULT 0,
  start_date date,
  end_date date
);

CREATE TABLE bus_service_dates (
  service_id text NOT NULL REFERENCES bus_services (id),
  date date NOT NULL,
  added boolean NOT NULL,
  import_name text NOT NULL REFERENCES imports (name),
  PRIMARY KEY (service_id, date)
);

CREATE TABLE bus_trips (
  id text PRIMARY KEY,
  route_id text NOT NULL REFERENCES bus_routes (id),
  service_id text NOT NULL REFERENCES bus_services (id),
  shape_id text NOT NULL REFERENCES bus_shapes (id),
  direction smallint,
  headsign text,
  timezone text NOT NULL,
  import_name text NOT NULL REFERENCES imports (name)
);
CREATE INDEX bus_trips_route ON bus_trips (route_id);

CREATE TABLE bus_trip_stops (
  trip_id text NOT NULL REFERENCES bus_trips (id),
  seq integer NOT NULL,
  stop_id text NOT NULL REFERENCES bus_stops (id),
  arrival_s integer NOT NULL,
  departure_s integer NOT NULL,
  -- Where the stop is along the trip's shape, 0–1, never behind the stop before it.
  fraction real,
  import_name text NOT NULL REFERENCES imports (name),
  PRIMARY KEY (trip_id, seq)
);

-- A trip run every headway between two times (frequencies.txt); its stop times are relative.
CREATE TABLE bus_trip_frequencies (
  trip_id text NOT NULL REFERENCES bus_trips (id),
  start_s integer NOT NULL,
  end_s integer NOT NULL,
  headway_s integer NOT NULL CHECK (headway_s > 0),
  exact_times boolean NOT NULL,
  import_name text NOT NULL REFERENCES imports (name),
  PRIMARY KEY (trip_id, start_s)
);
