-- How far the live pipeline has applied the ingest log: written in the same transaction as each
-- tick, so after a crash exactly the unapplied tail is applied again.
CREATE TABLE ingest_progress (
  consumer text PRIMARY KEY,
  applied_seq bigint NOT NULL
);

-- A fix is one device's position at one instant: the same fix sent again (a tracker retrying after
-- a lost answer) is stored once.
DELETE FROM position_history a USING position_history b
  WHERE a.entity_id = b.entity_id AND a.event_time = b.event_time AND a.ctid < b.ctid;
DROP INDEX position_history_entity_time;
CREATE UNIQUE INDEX position_history_entity_time ON position_history (entity_id, event_time);

-- Likewise a camera's event: one kind at one instant.
DELETE FROM camera_events a USING camera_events b
  WHERE a.camera_id = b.camera_id AND a.kind = b.kind AND a.event_time = b.event_time AND a.id > b.id;
CREATE UNIQUE INDEX camera_events_once ON camera_events (camera_id, kind, event_time);
