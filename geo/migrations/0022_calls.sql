-- Cases entered from a phone call: by a dispatcher at the console, or by a CAD or 12345 hotline
-- system calling the same route with a key. The call is kept beside its incident (who called,
-- on which line, who took it); its number keys it, so a call sent again opens nothing new.
ALTER TABLE incidents DROP CONSTRAINT incidents_source_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_source_check CHECK (source IN ('report', 'camera', 'alarm', 'bus', 'call'));

CREATE TABLE calls (
  incident_id bigint PRIMARY KEY REFERENCES incidents (id),
  -- The incident's source_ref: where the call was taken and its number there.
  ref text NOT NULL UNIQUE,
  line text,
  caller_phone text NOT NULL,
  place text,
  taken_by text NOT NULL,
  received_at timestamptz NOT NULL
);
