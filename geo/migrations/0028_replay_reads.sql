-- Whole-city replay (issue 21) reads what changed between two moments from each table that keeps
-- the city's past: by time, so each needs an index on it.
CREATE INDEX incident_history_at ON incident_history (at);
CREATE INDEX incident_assignments_assigned_at ON incident_assignments (assigned_at);
CREATE INDEX incident_assignments_arrived_at ON incident_assignments (arrived_at) WHERE arrived_at IS NOT NULL;
CREATE INDEX incident_assignments_released_at ON incident_assignments (released_at) WHERE released_at IS NOT NULL;
CREATE INDEX warnings_issued_at ON warnings (issued_at);
CREATE INDEX geofence_alerts_at ON geofence_alerts (at);

-- A warning as issued: the units inside its area then. Live screens count them again as units
-- move; a replay shows what the operator was told.
ALTER TABLE warnings ADD COLUMN units_inside jsonb;
