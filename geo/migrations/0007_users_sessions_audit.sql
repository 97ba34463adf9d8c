-- Who may sign in, their sessions, and the append-only record of what they did.
CREATE TABLE users (
  id text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9._-]{1,31}$'),
  display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 64),
  role text NOT NULL CHECK (role IN ('operator', 'dispatcher', 'official', 'admin')),
  -- What a role does not carry by itself: 'police-positions' lets an official or an admin see individual police units.
  grants text[] NOT NULL DEFAULT '{}' CHECK (grants <@ ARRAY['police-positions']),
  password_hash text NOT NULL,
  disabled boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  -- SHA-256 of the cookie's token: a copy of this table opens no session.
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  -- Sent back by the page in a header or the socket handshake; a cross-site page cannot read it.
  csrf text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE audit_log (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- A user id, or 'anonymous' for a failed sign-in under a name that does not exist.
  actor text NOT NULL,
  action text NOT NULL,
  object_type text,
  object_id text,
  before jsonb,
  after jsonb,
  -- The client's address.
  client text
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor, at);

-- Append-only: rows are never changed or removed, whoever asks.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP;
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
