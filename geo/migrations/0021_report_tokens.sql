-- A report's token, given where it was taken (GeoReport v2's token): a report applied again from
-- the ingest log registers once, and a sender answered 202 can look its request up by it.
ALTER TABLE service_requests ADD COLUMN token uuid;
CREATE UNIQUE INDEX service_requests_token ON service_requests (token);
