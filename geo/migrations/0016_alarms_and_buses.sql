-- Police (110, 122) and fire (119) alarms come from the call centres' systems as a keyed feed
-- and open registered incidents; fire calls go to the fire brigade, which has no units here yet.
-- Buses running late or bunched open cases for the public transport operator, which has no
-- units here either; they cancel themselves once the bus is back on time or apart.
ALTER TABLE feed_keys DROP CONSTRAINT feed_keys_feed_check;
ALTER TABLE feed_keys ADD CONSTRAINT feed_keys_feed_check CHECK (feed IN ('cameras', 'open311', 'alarms'));
ALTER TABLE incidents DROP CONSTRAINT incidents_source_check;
ALTER TABLE incidents ADD CONSTRAINT incidents_source_check CHECK (source IN ('report', 'camera', 'alarm', 'bus'));
ALTER TABLE incident_categories DROP CONSTRAINT incident_categories_agency_check;
ALTER TABLE incident_categories ADD CONSTRAINT incident_categories_agency_check CHECK (agency IN ('police', 'city', 'fire', 'transit'));

INSERT INTO departments (id, name_zh, name_en) VALUES
  ('fire-rescue', '消防救援支队', 'Fire and Rescue Detachment'),
  ('public-transport', '公交集团', 'Public Transport Group');
INSERT INTO incident_categories (code, name_zh, name_en, agency, department_id, sla_minutes, severity) VALUES
  ('alarm-crime', '刑事治安警情', 'Crime or disorder (110)', 'police', 'public-security', 15, 4),
  ('alarm-help', '求助警情', 'Call for help (110)', 'police', 'public-security', 30, 3),
  ('alarm-traffic', '交通警情', 'Traffic emergency (110/122)', 'police', 'traffic-police', 15, 3),
  ('alarm-fire', '火灾', 'Fire (119)', 'fire', 'fire-rescue', 10, 4),
  ('alarm-rescue', '抢险救援', 'Rescue (119)', 'fire', 'fire-rescue', 15, 4),
  ('bus-delay', '公交晚点', 'Bus running late', 'transit', 'public-transport', 60, 1),
  ('bus-bunching', '公交串车', 'Buses bunched', 'transit', 'public-transport', 30, 1);
