-- One unit's track (issue 21) read from history's key alone. History is written as fixes arrive,
-- so a unit's day (17,280 fixes at 5 s) lies on as many pages, each shared with the city's other
-- units: the key found them and the read then fetched every page (174 ms p50 at Karamay, 782 ms
-- cold). The key now carries what a track shows, so the read stays in the key's own pages, in the
-- unit's order (43 ms), once vacuum has marked a partition's pages all-visible (the server's upkeep
-- does so as each partition closes: tendHistory). Positions take 12 % more room a day (npm run
-- bench replay), and the write a tenth more time (npm run bench position-write).
DROP INDEX position_history_entity_time;
CREATE UNIQUE INDEX position_history_entity_time ON position_history (entity_id, event_time) INCLUDE (geom, speed_kmh, heading_deg);
