-- History's key (a fix sent or applied again is stored once) becomes each partition's own (issue 21).
-- Migration 0032 made the key carry what a unit's track reads, for every partition: the write then
-- took a tenth longer (npm run bench position-write), though only closed partitions are read that
-- way. A partition now takes fixes under a bare key, the write's least cost (made with it:
-- makeHistoryPartitions); once it closes, the server's upkeep builds its key anew carrying the
-- track's columns and drops the bare one (tendHistory). The key still holds across partitions: the
-- time it is partitioned by is in it. The insert names no index (ON CONFLICT DO NOTHING): each
-- partition's own key is its arbiter.
DROP INDEX position_history_entity_time;
DO $$
DECLARE
  part text;
BEGIN
  FOR part IN SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'position_history'::regclass LOOP
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (entity_id, event_time)', part || '_key', part);
  END LOOP;
END $$;
