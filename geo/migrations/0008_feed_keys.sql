-- Keys for the feeds that push to this server over HTTP (camera gateways, Open311 apps). Only a
-- key's SHA-256 is kept: the key itself is shown once, when it is made.
CREATE TABLE feed_keys (
  id text PRIMARY KEY,
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
  feed text NOT NULL CHECK (feed IN ('cameras', 'open311')),
  key_hash text NOT NULL UNIQUE,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  disabled boolean NOT NULL DEFAULT false
);
