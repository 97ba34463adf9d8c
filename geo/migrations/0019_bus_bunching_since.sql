-- Bunching is a case only once it has lasted: when each pair of bunched buses began.
ALTER TABLE bus_progress ADD COLUMN bunched_since timestamptz;
