-- 督办: when an open case passes its SLA, it is marked once and raised to the wall and the dispatcher.
ALTER TABLE incidents ADD COLUMN supervised_at timestamptz;
