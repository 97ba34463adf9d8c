-- Emergency warnings: a message for an area, pushed to every screen and handed to an outbound
-- webhook (an SMS gateway); the delivery is tracked so a restart resumes what was not delivered.
CREATE TABLE warnings (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  message text NOT NULL,
  severity integer NOT NULL CHECK (severity BETWEEN 1 AND 4),
  geom geometry(Polygon, 4326) NOT NULL,
  issued_by text NOT NULL,
  issued_at timestamptz NOT NULL DEFAULT now(),
  delivery text NOT NULL CHECK (delivery IN ('pending', 'delivered', 'failed', 'not-configured')),
  delivery_attempts integer NOT NULL DEFAULT 0,
  delivered_at timestamptz
);
CREATE INDEX warnings_geom ON warnings USING gist (geom);
