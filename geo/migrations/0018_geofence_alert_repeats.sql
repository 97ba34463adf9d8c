-- Repeated crossings of one fence by one entity fold into one alert that counts them, so a taxi
-- idling at a fence's edge is one line on the screens, not two hundred.
ALTER TABLE geofence_alerts ADD COLUMN repeats integer NOT NULL DEFAULT 0;
ALTER TABLE geofence_alerts ADD COLUMN last_at timestamptz;
UPDATE geofence_alerts SET last_at = at;
ALTER TABLE geofence_alerts ALTER COLUMN last_at SET NOT NULL;
-- The fold looks up the open alert of a (fence, entity, event).
CREATE INDEX geofence_alerts_open_pair ON geofence_alerts (geofence_id, entity_id, event) WHERE state <> 'cleared';
