-- The city's base data and the live state of every moving entity. WGS-84 (SRID 4326) throughout.

CREATE TABLE city (
  id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),   -- one city per database
  profile text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  seed integer NOT NULL,
  generator_version integer NOT NULL,
  center geometry(Point, 4326) NOT NULL,
  bounds geometry(Polygon, 4326) NOT NULL,
  loaded_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE districts (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  geom geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX districts_geom ON districts USING gist (geom);

CREATE TABLE communities (
  id text PRIMARY KEY,
  district_id text NOT NULL REFERENCES districts (id),
  name_zh text NOT NULL,
  name_en text NOT NULL,
  residents integer NOT NULL,
  geom geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX communities_geom ON communities USING gist (geom);

-- Grid-management cells (网格), each owned by the district holding its centre.
CREATE TABLE grid_cells (
  id text PRIMARY KEY,
  district_id text NOT NULL REFERENCES districts (id),
  geom geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX grid_cells_geom ON grid_cells USING gist (geom);

CREATE TABLE water (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  geom geometry(Polygon, 4326) NOT NULL
);
CREATE INDEX water_geom ON water USING gist (geom);

CREATE TABLE roads (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  class text NOT NULL CHECK (class IN ('expressway', 'arterial', 'collector', 'local'))
);

-- The routing graph: a segment joins two intersections (road nodes) and is driven both ways.
CREATE TABLE road_segments (
  id text PRIMARY KEY,
  road_id text NOT NULL REFERENCES roads (id),
  from_node integer NOT NULL,
  to_node integer NOT NULL,
  length_m real NOT NULL,
  speed_limit_kmh smallint NOT NULL,
  geom geometry(LineString, 4326) NOT NULL
);
CREATE INDEX road_segments_geom ON road_segments USING gist (geom);
CREATE INDEX road_segments_from ON road_segments (from_node);
CREATE INDEX road_segments_to ON road_segments (to_node);

CREATE TABLE camera_sites (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('hd-video', 'e-police', 'smart-light')),
  name_zh text NOT NULL,
  name_en text NOT NULL,
  district_id text NOT NULL REFERENCES districts (id),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX camera_sites_geom ON camera_sites USING gist (geom);

CREATE TABLE cameras (
  id text PRIMARY KEY,
  site_id text NOT NULL REFERENCES camera_sites (id),
  heading_deg real NOT NULL,
  segment_id text REFERENCES road_segments (id),
  status text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'offline'))
);
CREATE INDEX cameras_site ON cameras (site_id);

CREATE TABLE police_stations (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  district_id text NOT NULL REFERENCES districts (id),
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX police_stations_geom ON police_stations USING gist (geom);

CREATE TABLE bus_stops (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX bus_stops_geom ON bus_stops USING gist (geom);

CREATE TABLE bus_routes (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  color text NOT NULL,
  geom geometry(LineString, 4326) NOT NULL
);
CREATE INDEX bus_routes_geom ON bus_routes USING gist (geom);

CREATE TABLE bus_route_stops (
  route_id text NOT NULL REFERENCES bus_routes (id),
  seq integer NOT NULL,
  stop_id text NOT NULL REFERENCES bus_stops (id),
  PRIMARY KEY (route_id, seq)
);

-- Live state: one row per unit or vehicle, updated by the position pipeline once per tick.
CREATE TABLE entities (
  id text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('police-car', 'police-officer', 'inspector', 'bus', 'taxi', 'truck')),
  label text NOT NULL,
  status text NOT NULL,
  station_id text REFERENCES police_stations (id),
  route_id text REFERENCES bus_routes (id),
  geom geometry(Point, 4326),
  heading_deg real,
  speed_kmh real,
  district_id text REFERENCES districts (id),
  cell_id text REFERENCES grid_cells (id),
  updated_at timestamptz
);
CREATE INDEX entities_kind ON entities (kind);
CREATE INDEX entities_geom ON entities USING gist (geom);

CREATE TABLE position_history (
  entity_id text NOT NULL REFERENCES entities (id),
  event_time timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  geom geometry(Point, 4326) NOT NULL,
  heading_deg real,
  speed_kmh real,
  district_id text,
  cell_id text
);
CREATE INDEX position_history_entity_time ON position_history (entity_id, event_time);
CREATE INDEX position_history_time ON position_history (event_time);
CREATE INDEX position_history_geom ON position_history USING gist (geom);

CREATE TABLE incidents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL,
  severity smallint NOT NULL CHECK (severity BETWEEN 1 AND 4),
  status text NOT NULL,
  title text NOT NULL,
  description text NOT NULL DEFAULT '',
  geom geometry(Point, 4326) NOT NULL,
  district_id text REFERENCES districts (id),
  cell_id text REFERENCES grid_cells (id),
  reported_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  version integer NOT NULL DEFAULT 1
);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_status ON incidents (status);
