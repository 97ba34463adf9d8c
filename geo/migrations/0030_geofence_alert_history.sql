-- Whole-city replay (issue 21) shows each geofence alert as it stood then: raised, repeating,
-- acknowledged, assigned, cleared, each when it happened. Kept by a trigger, so every way an alert
-- changes (the fence join raising and folding repeats, a dispatcher's action, a bulk clear) is kept
-- alike. A repeat is kept at the time it happened; a dispatcher's change when it was made.
CREATE TABLE geofence_alert_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id bigint NOT NULL REFERENCES geofence_alerts (id) ON DELETE CASCADE,
  at timestamptz NOT NULL,
  state text NOT NULL,
  assigned_to text,
  version integer NOT NULL,
  repeats integer NOT NULL,
  last_at timestamptz NOT NULL,
  geom geometry(Point, 4326) NOT NULL
);
CREATE INDEX geofence_alert_history_at ON geofence_alert_history (at);
CREATE INDEX geofence_alert_history_alert ON geofence_alert_history (alert_id, at);

CREATE OR REPLACE FUNCTION geofence_alert_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO geofence_alert_history (alert_id, at, state, assigned_to, version, repeats, last_at, geom)
  VALUES (NEW.id, CASE WHEN TG_OP = 'INSERT' THEN NEW.at WHEN NEW.repeats <> OLD.repeats THEN NEW.last_at ELSE NEW.updated_at END,
          NEW.state, NEW.assigned_to, NEW.version, NEW.repeats, NEW.last_at, NEW.geom);
  RETURN NULL;
END $$;
CREATE TRIGGER geofence_alert_history AFTER INSERT OR UPDATE ON geofence_alerts FOR EACH ROW EXECUTE FUNCTION geofence_alert_changed();

-- Alerts raised before this: as raised, then as they stand now from their last change (the steps between were not kept).
INSERT INTO geofence_alert_history (alert_id, at, state, assigned_to, version, repeats, last_at, geom)
SELECT id, at, 'new', NULL, 1, 0, at, geom FROM geofence_alerts;
INSERT INTO geofence_alert_history (alert_id, at, state, assigned_to, version, repeats, last_at, geom)
SELECT id, greatest(updated_at, at), state, assigned_to, version, repeats, last_at, geom FROM geofence_alerts WHERE version > 1;
