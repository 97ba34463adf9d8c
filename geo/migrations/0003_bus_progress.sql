-- Where each bus is on its route, and whether it runs bunched with another of the same route.
CREATE TABLE bus_progress (
  entity_id text PRIMARY KEY REFERENCES entities (id),
  route_id text NOT NULL REFERENCES bus_routes (id),
  trip_id text,
  stop_id text,
  stop_status text,
  -- Fraction of the route's length travelled, 0–1 (ST_LineLocatePoint on the route shape).
  progress real NOT NULL,
  bunched_with text REFERENCES entities (id),
  updated_at timestamptz NOT NULL
);
CREATE INDEX bus_progress_route ON bus_progress (route_id);
