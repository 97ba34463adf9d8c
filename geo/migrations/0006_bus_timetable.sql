-- A frequency-based timetable per route (as GTFS frequencies.txt with exact times): trips leave
-- each terminus every headway, all day, and run at the scheduled speed (stops included).
-- Trip ids name their departure: {route_id}:{out|back}:{HHMM local time}.
ALTER TABLE bus_routes
  ADD COLUMN headway_s integer NOT NULL DEFAULT 600 CHECK (headway_s > 0),
  ADD COLUMN scheduled_speed_kmh real NOT NULL DEFAULT 20 CHECK (scheduled_speed_kmh > 0),
  ADD COLUMN utc_offset_min integer NOT NULL DEFAULT 480;
-- Seconds behind the timetable (negative: early); null when the trip is not in the timetable.
ALTER TABLE bus_progress ADD COLUMN delay_s integer;
