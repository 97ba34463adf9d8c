-- Items a live pipeline accepted but the database refused as data (SQLSTATE class 22 or 23):
-- kept here for an integrator to read and replay, never silently dropped. The item is JSON
-- text, not jsonb, because jsonb cannot hold every string the item may carry (NUL).
CREATE TABLE set_aside_items (
  id bigserial PRIMARY KEY,
  pipeline text NOT NULL,
  item text NOT NULL,
  error_code text,
  error text NOT NULL,
  set_aside_at timestamptz NOT NULL DEFAULT now()
);
