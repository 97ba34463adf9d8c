-- Grid management and citizen complaints (Open311 GeoReport v2): what can be reported, who
-- handles it, and every report placed in its grid cell and district.
CREATE TABLE departments (
  id text PRIMARY KEY,
  name_zh text NOT NULL,
  name_en text NOT NULL
);
INSERT INTO departments (id, name_zh, name_en) VALUES
  ('urban-management', '城市管理局', 'Urban Management Bureau'),
  ('ecology-environment', '生态环境局', 'Ecology and Environment Bureau'),
  ('housing', '住房和城乡建设局', 'Housing and Urban-Rural Development Bureau'),
  ('municipal-utilities', '市政公用事业服务中心', 'Municipal Utilities Service Centre'),
  ('traffic-police', '公安交通警察支队', 'Traffic Police Detachment'),
  ('public-security', '公安局', 'Public Security Bureau');

CREATE TABLE services (
  code text PRIMARY KEY,
  group_code text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  group_zh text NOT NULL,
  group_en text NOT NULL,
  description_zh text NOT NULL,
  description_en text NOT NULL,
  keywords text NOT NULL,
  department_id text NOT NULL REFERENCES departments (id)
);
INSERT INTO services (code, group_code, group_zh, group_en, name_zh, name_en, description_zh, description_en, keywords, department_id) VALUES
  ('garbage', 'city-appearance', '市容环境', 'City appearance', '垃圾堆放', 'Garbage piled up', '生活或建筑垃圾未及时清运', 'Household or building waste not collected', 'garbage,litter,waste,垃圾', 'urban-management'),
  ('illegal-ads', 'city-appearance', '市容环境', 'City appearance', '乱贴乱画', 'Illegal posters and graffiti', '小广告、涂鸦影响市容', 'Fly-posting and graffiti', 'posters,graffiti,广告', 'urban-management'),
  ('noise', 'environment', '生态环境', 'Environment', '噪声扰民', 'Noise nuisance', '施工、商业或生活噪声扰民', 'Construction, business or neighbourhood noise', 'noise,噪声', 'ecology-environment'),
  ('air-pollution', 'environment', '生态环境', 'Environment', '烟尘污染', 'Smoke and dust', '露天焚烧、扬尘或油烟污染', 'Open burning, dust or cooking fumes', 'smoke,dust,air,烟尘', 'ecology-environment'),
  ('property-service', 'property', '物业管理', 'Property', '物业服务', 'Property management', '小区物业服务问题', 'Problems with a residential estate''s management', 'property,estate,物业', 'housing'),
  ('street-light', 'public-facilities', '公共设施', 'Public facilities', '路灯故障', 'Street light out', '路灯不亮或损坏', 'A street light is out or damaged', 'street light,lamp,路灯', 'municipal-utilities'),
  ('manhole', 'public-facilities', '公共设施', 'Public facilities', '井盖缺失', 'Missing manhole cover', '井盖缺失、破损或移位', 'A manhole cover is missing, broken or displaced', 'manhole,井盖', 'municipal-utilities'),
  ('road-damage', 'public-facilities', '公共设施', 'Public facilities', '道路破损', 'Damaged road', '路面坑洼、塌陷', 'Potholes or subsidence', 'pothole,road,道路', 'municipal-utilities'),
  ('illegal-parking', 'traffic', '交通秩序', 'Traffic', '违章停车', 'Illegal parking', '占道或堵塞消防通道停车', 'Parking that blocks a lane or a fire access', 'parking,停车', 'traffic-police'),
  ('signal-fault', 'traffic', '交通秩序', 'Traffic', '信号灯故障', 'Traffic signal fault', '交通信号灯不亮或异常', 'A traffic signal is dark or faulty', 'signal,traffic light,信号灯', 'traffic-police'),
  ('safety-hazard', 'public-safety', '公共安全', 'Public safety', '安全隐患', 'Safety hazard', '危险建筑、电线或其他安全隐患', 'Dangerous structures, wiring or other hazards', 'hazard,safety,安全', 'public-security');

-- Lifecycle of the "444" line: registered → dispatched → handled → answered → closed.
CREATE TABLE service_requests (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 1001) PRIMARY KEY,
  service_code text NOT NULL REFERENCES services (code),
  status text NOT NULL DEFAULT 'registered' CHECK (status IN ('registered', 'dispatched', 'handled', 'answered', 'closed')),
  status_notes text,
  description text NOT NULL DEFAULT '',
  media_url text,
  address text,
  reporter text NOT NULL CHECK (reporter IN ('citizen', 'inspector')),
  reporter_id text,
  -- Name, email, phone: kept for the handling department, never in public answers.
  contact jsonb,
  source_id text NOT NULL,
  geom geometry(Point, 4326) NOT NULL,
  district_id text REFERENCES districts (id),
  cell_id text REFERENCES grid_cells (id),
  department_id text NOT NULL REFERENCES departments (id),
  requested_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX service_requests_geom ON service_requests USING gist (geom);
CREATE INDEX service_requests_requested ON service_requests (requested_at);
CREATE INDEX service_requests_status ON service_requests (status);
