-- What a device says beyond position (accuracy, battery, trip, stop…): kept with each fix in
-- history, and the latest with the live state.
ALTER TABLE position_history ADD COLUMN accuracy_m real, ADD COLUMN attributes jsonb;
ALTER TABLE entities ADD COLUMN source_id text, ADD COLUMN attributes jsonb;
