-- The device registry: an administrator registers the units a city owns (an OsmAnd tracker is
-- taken because its unit is registered), imports them from CSV, and retires them. A retired unit
-- keeps its history but leaves the map, the counts and dispatch, and its tracker is refused.
ALTER TABLE entities
  ADD COLUMN agency text,
  ADD COLUMN home_district_id text REFERENCES districts (id),
  ADD COLUMN registered_at timestamptz,
  ADD COLUMN registered_by text,
  ADD COLUMN retired_at timestamptz;

-- An item set aside is replayed once its sender is fixed: who replayed it, and when.
ALTER TABLE set_aside_items ADD COLUMN replayed_at timestamptz, ADD COLUMN replayed_by text;
