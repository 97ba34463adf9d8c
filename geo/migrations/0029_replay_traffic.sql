-- Whole-city replay (issue 21) shows the roads' congestion as the screens saw it: from the detector
-- records the server had received by then, so they are read by when they were received.
CREATE INDEX camera_readings_received_at ON camera_readings (received_at);
