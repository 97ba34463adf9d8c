-- A new incident of the same category close by, while an earlier one is open, is probably the
-- same problem reported again: it is proposed as a duplicate, and a dispatcher may merge it.
ALTER TABLE incidents
  ADD COLUMN possible_duplicate_of bigint REFERENCES incidents (id),
  ADD COLUMN duplicate_of bigint REFERENCES incidents (id);
