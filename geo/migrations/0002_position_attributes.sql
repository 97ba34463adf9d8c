-- What a tracker says beyond position (accuracy, battery, altitude, odometer…) is kept with each fix.
ALTER TABLE position_history ADD COLUMN accuracy_m real, ADD COLUMN attributes jsonb;
ALTER TABLE entities ADD COLUMN source_id text;
