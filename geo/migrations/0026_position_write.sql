-- The tick's position write at city scale (issue 19; `EXPLAIN (ANALYZE, BUFFERS)` of a
-- 20,000-fix tick on PostgreSQL 15): history's foreign key cost 92 ms (a trigger per row), its
-- GiST on geom and B-tree on time most of the rest of its 240 ms of index upkeep; live state's
-- keys to its grid cell and district 150–250 ms whenever units crossed cells.

-- A unit's cell and district are derived from those tables by the pipeline (and found again for
-- every unit when an import changes them: `relocateEntities`), so they need no key to check.
ALTER TABLE entities DROP CONSTRAINT entities_cell_id_fkey, DROP CONSTRAINT entities_district_id_fkey;

-- A unit's history still keeps it from being removed, checked when a unit goes (rare), not for
-- every fix (20,000 a tick). Same error code as the foreign key, so an import still says why.
ALTER TABLE position_history DROP CONSTRAINT position_history_entity_id_fkey;
CREATE OR REPLACE FUNCTION entity_keeps_its_history() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM position_history WHERE entity_id = OLD.id) THEN
    RAISE foreign_key_violation USING MESSAGE = format('unit "%s" has position history', OLD.id);
  END IF;
  RETURN OLD;
END $$;
CREATE TRIGGER entities_keep_history BEFORE DELETE ON entities FOR EACH ROW EXECUTE FUNCTION entity_keeps_its_history();

-- History is read by time window (around an incident, pruning); rows arrive in time order, so a
-- BRIN range index serves that at a fraction of a B-tree's upkeep. Nothing searches all of
-- history by place without a time window.
DROP INDEX position_history_geom;
DROP INDEX position_history_time;
CREATE INDEX position_history_time ON position_history USING brin (event_time);

-- The pipeline finds each fix's grid cell and district in memory (a GiST probe per fix was half
-- the tick); it reads the polygons again when this number moves, which any change to them does.
CREATE TABLE place_revision (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  revision bigint NOT NULL
);
INSERT INTO place_revision (revision) VALUES (1);
CREATE OR REPLACE FUNCTION bump_place_revision() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE place_revision SET revision = revision + 1;
  RETURN NULL;
END $$;
CREATE TRIGGER districts_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON districts FOR EACH STATEMENT EXECUTE FUNCTION bump_place_revision();
CREATE TRIGGER grid_cells_revision AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON grid_cells FOR EACH STATEMENT EXECUTE FUNCTION bump_place_revision();
