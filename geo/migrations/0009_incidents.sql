-- One incident model for every source (citizens' reports and camera events now; alarms and buses
-- with their feeds), with the "444" lifecycle and its history.

-- What an incident is about, who answers it, and how long it may take (its SLA).
CREATE TABLE incident_categories (
  code text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  -- Who is sent: police units, or the city's grid inspectors.
  agency text NOT NULL CHECK (agency IN ('police', 'city')),
  department_id text NOT NULL REFERENCES departments (id),
  sla_minutes integer NOT NULL CHECK (sla_minutes > 0),
  severity integer NOT NULL CHECK (severity BETWEEN 1 AND 4)
);
INSERT INTO incident_categories (code, name_zh, name_en, agency, department_id, sla_minutes, severity)
SELECT s.code, s.name_zh, s.name_en,
       CASE WHEN s.department_id IN ('traffic-police', 'public-security') THEN 'police' ELSE 'city' END,
       s.department_id,
       CASE s.code WHEN 'safety-hazard' THEN 60 WHEN 'manhole' THEN 120 WHEN 'signal-fault' THEN 60 WHEN 'illegal-parking' THEN 60
                   WHEN 'noise' THEN 240 WHEN 'air-pollution' THEN 240 WHEN 'street-light' THEN 1440 WHEN 'road-damage' THEN 1440
                   WHEN 'garbage' THEN 1440 ELSE 2880 END,
       CASE s.code WHEN 'safety-hazard' THEN 3 WHEN 'manhole' THEN 2 WHEN 'signal-fault' THEN 2 ELSE 1 END
FROM services s;
INSERT INTO incident_categories (code, name_zh, name_en, agency, department_id, sla_minutes, severity) VALUES
  ('accident', '交通事故', 'Traffic accident', 'police', 'traffic-police', 15, 3),
  ('wrong-way', '车辆逆行', 'Wrong-way driver', 'police', 'traffic-police', 10, 4),
  ('stopped-vehicle', '异常停车', 'Stopped vehicle', 'police', 'traffic-police', 30, 2);

-- The walking skeleton's placeholder (never written) makes way for the real table.
DROP TABLE incidents;

CREATE TABLE incidents (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  source text NOT NULL CHECK (source IN ('report', 'camera')),
  -- The report's id or the camera event's id: one incident per source item.
  source_ref text NOT NULL,
  category text NOT NULL REFERENCES incident_categories (code),
  severity integer NOT NULL CHECK (severity BETWEEN 1 AND 4),
  status text NOT NULL CHECK (status IN ('reported', 'registered', 'dispatched', 'handling', 'answered', 'closed', 'cancelled')),
  status_note text,
  description text NOT NULL DEFAULT '',
  geom geometry(Point, 4326) NOT NULL,
  district_id text REFERENCES districts (id),
  cell_id text REFERENCES grid_cells (id),
  reported_at timestamptz NOT NULL,
  due_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- Rises with every change: screens keep the newest, whatever order pushes and snapshots arrive in.
  version integer NOT NULL DEFAULT 1,
  UNIQUE (source, source_ref)
);
CREATE INDEX incidents_geom ON incidents USING gist (geom);
CREATE INDEX incidents_open ON incidents (status, due_at) WHERE status NOT IN ('closed', 'cancelled');

CREATE TABLE incident_history (
  id bigserial PRIMARY KEY,
  incident_id bigint NOT NULL REFERENCES incidents (id),
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor text NOT NULL,
  from_status text,
  to_status text NOT NULL,
  note text
);
CREATE INDEX incident_history_incident ON incident_history (incident_id, id);
