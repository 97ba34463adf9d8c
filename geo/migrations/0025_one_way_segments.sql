-- A one-way street (OpenStreetMap's oneway=yes, a roundabout, a motorway; a survey's direction):
-- driven only from from_node to to_node, along its line. Generated cities' streets are two-way.
ALTER TABLE road_segments ADD COLUMN one_way boolean NOT NULL DEFAULT false;
