-- Geofences: an area drawn on the map, a radius that moves with a unit, or a corridor along a
-- bus route; entities entering, leaving or dwelling raise alerts that people acknowledge,
-- assign and clear.
CREATE TABLE geofences (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('area', 'unit-radius', 'route-corridor')),
  -- An area's polygon; a radius and a corridor take their shape from a unit or a route.
  geom geometry(Polygon, 4326),
  unit_id text REFERENCES entities (id),
  route_id text REFERENCES bus_routes (id),
  radius_m real,
  -- The entity kinds an area or a radius watches; a corridor watches its route's buses.
  kinds text[] NOT NULL DEFAULT '{}',
  dwell_minutes integer CHECK (dwell_minutes > 0),
  severity integer NOT NULL DEFAULT 2 CHECK (severity BETWEEN 1 AND 4),
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  active boolean NOT NULL DEFAULT true,
  CHECK ((kind = 'area') = (geom IS NOT NULL)),
  CHECK ((kind = 'unit-radius') = (unit_id IS NOT NULL)),
  CHECK ((kind = 'route-corridor') = (route_id IS NOT NULL)),
  CHECK (kind = 'area' OR radius_m > 0)
);
CREATE INDEX geofences_geom ON geofences USING gist (geom) WHERE active;

-- Who is inside which fence now, since when.
CREATE TABLE geofence_presence (
  geofence_id bigint NOT NULL REFERENCES geofences (id),
  entity_id text NOT NULL REFERENCES entities (id),
  entered_at timestamptz NOT NULL,
  dwell_raised boolean NOT NULL DEFAULT false,
  PRIMARY KEY (geofence_id, entity_id)
);

CREATE TABLE geofence_alerts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  geofence_id bigint NOT NULL REFERENCES geofences (id),
  entity_id text NOT NULL REFERENCES entities (id),
  event text NOT NULL CHECK (event IN ('enter', 'exit', 'dwell')),
  at timestamptz NOT NULL,
  geom geometry(Point, 4326) NOT NULL,
  severity integer NOT NULL,
  state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'acknowledged', 'assigned', 'cleared')),
  assigned_to text,
  version integer NOT NULL DEFAULT 1,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX geofence_alerts_open ON geofence_alerts (id) WHERE state <> 'cleared';
CREATE INDEX geofence_alerts_geom ON geofence_alerts USING gist (geom);

-- Every geometry has its GiST index, the routes units were sent on too.
CREATE INDEX incident_assignments_route ON incident_assignments USING gist (route);
