-- Position history and detector records kept in partitions by time range (issue 19): what passes
-- the retention goes by dropping a partition — no DELETE of millions of rows, no dead rows to
-- vacuum — and a read of a time window (replay, posture, a case's surroundings) touches only
-- the partitions of that window. `geo/history-partitions.ts` makes the partitions ahead of time
-- and drops the expired ones; a row no range holds (a tracker's buffered fix from before the
-- oldest partition) lands in the default partition, so no write ever fails for want of one.
--
-- The rows already stored stay where they are: their table becomes the partition for everything
-- up to the next hour, dropped whole once its last hour passes the retention; an empty one goes.

ALTER TABLE position_history RENAME TO position_history_until_0027;
ALTER INDEX position_history_entity_time RENAME TO position_history_until_0027_entity_time;
ALTER INDEX position_history_time RENAME TO position_history_until_0027_time;
CREATE TABLE position_history (LIKE position_history_until_0027 INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (event_time);
CREATE UNIQUE INDEX position_history_entity_time ON position_history (entity_id, event_time);
CREATE INDEX position_history_time ON position_history USING brin (event_time);
CREATE TABLE position_history_default PARTITION OF position_history DEFAULT;

ALTER TABLE camera_readings RENAME TO camera_readings_until_0027;
ALTER INDEX camera_readings_pkey RENAME TO camera_readings_until_0027_pkey;
CREATE TABLE camera_readings (LIKE camera_readings_until_0027 INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (period_start);
-- A camera re-sending a period's record adds nothing.
ALTER TABLE camera_readings ADD PRIMARY KEY (camera_id, period_start);
CREATE TABLE camera_readings_default PARTITION OF camera_readings DEFAULT;

DO $$
DECLARE
  kept RECORD;
  has_rows boolean;
  upper_bound timestamptz;
BEGIN
  FOR kept IN SELECT * FROM (VALUES ('position_history', 'event_time'), ('camera_readings', 'period_start')) AS t(parent, time_column) LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I), date_trunc(''hour'', greatest(now(), max(%I))) + interval ''1 hour'' FROM %I',
      kept.parent || '_until_0027', kept.time_column, kept.parent || '_until_0027') INTO has_rows, upper_bound;
    IF has_rows THEN
      EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (MINVALUE) TO (%L)', kept.parent, kept.parent || '_until_0027', upper_bound);
    ELSE
      EXECUTE format('DROP TABLE %I', kept.parent || '_until_0027');
    END IF;
  END LOOP;
END $$;

-- Detector records name their camera; the key is checked on every partition.
ALTER TABLE camera_readings ADD CONSTRAINT camera_readings_camera_id_fkey FOREIGN KEY (camera_id) REFERENCES cameras (id);
