-- Dispatch: which units are free to send, and who was sent to which case.

-- A unit's duty: available to send, driving to a case, at a case, or off duty. Vehicles that
-- are not units (buses, taxis, trucks) keep 'available' and are never asked.
ALTER TABLE entities ADD COLUMN duty text NOT NULL DEFAULT 'available' CHECK (duty IN ('available', 'en-route', 'on-scene', 'off-duty'));
CREATE INDEX entities_available_geom ON entities USING gist (geom) WHERE duty = 'available';

CREATE TABLE incident_assignments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  unit_id text NOT NULL REFERENCES entities (id),
  status text NOT NULL CHECK (status IN ('en-route', 'on-scene', 'released')),
  assigned_by text NOT NULL,
  assigned_at timestamptz NOT NULL DEFAULT now(),
  -- The road route and ETA when sent.
  eta_s integer NOT NULL,
  route geometry(LineString, 4326) NOT NULL,
  arrived_at timestamptz,
  released_at timestamptz
);
-- A unit works one case at a time.
CREATE UNIQUE INDEX incident_assignments_one_per_unit ON incident_assignments (unit_id) WHERE status <> 'released';
CREATE INDEX incident_assignments_incident ON incident_assignments (incident_id);
