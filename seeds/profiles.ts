import type { LonLat } from '../geo/index.ts';

export interface CityProfile {
  id: string;
  nameZh: string;
  nameEn: string;
  /** City centre, WGS-84. */
  center: LonLat;
  seed: number;
  /** Extent of the modelled urban area, in km. */
  widthKm: number;
  heightKm: number;
  /** Orientation of the street grid, degrees counter-clockwise from east. */
  gridRotationDeg: number;
  /** Mean distance between parallel streets, m. */
  streetSpacingM: number;
  /** Every n-th street line is an arterial; every other one a collector. */
  arterialEvery: number;
  /** Ring roads as fractions of the city's half-extent. */
  ringRoads: { zh: string; en: string; fraction: number }[];
  river: { zh: string; en: string };
  /** Districts tile the city in `districtColumns` columns, listed row by row from the north-west. */
  districts: { zh: string; en: string }[];
  districtColumns: number;
  /** Communities tile the city in this grid; districts split it into near-equal blocks. */
  communityGrid: { columns: number; rows: number };
  residents: number;
  gridCellM: number;
  /** Local time, hours east of UTC: timetables and rush hours run on it. */
  utcOffsetHours: number;
  /** Vehicle plate prefix, e.g. 新J for Karamay. */
  platePrefix: string;
  cameraSites: { 'hd-video': number; 'e-police': number; 'smart-light': number };
  cameras: number;
  policeStations: number;
  policeCars: number;
  policeOfficers: number;
  inspectors: number;
  busRoutes: number;
  buses: number;
  taxis: number;
  trucks: number;
}

// Numbers marked "brief" are the cities' own (shared/CITY-BRIEF.md); the rest are plausible
// values for a city of that size, chosen so every layer has something to show.
export const cityProfiles = {
  karamay: {
    id: 'karamay',
    nameZh: '克拉玛依',
    nameEn: 'Karamay',
    center: [84.8739, 45.5954],
    seed: 20_260_001,
    widthKm: 12,
    heightKm: 9,
    gridRotationDeg: -28,
    streetSpacingM: 300,
    arterialEvery: 4,
    ringRoads: [{ zh: '环城路', en: 'Ring Rd', fraction: 0.62 }],
    river: { zh: '克拉玛依河', en: 'Karamay River' },
    districts: [
      { zh: '昆仑路街道', en: 'Kunlun Road' },
      { zh: '胜利路街道', en: 'Shengli Road' },
      { zh: '银河路街道', en: 'Yinhe Road' },
      { zh: '天山路街道', en: 'Tianshan Road' },
      { zh: '迎宾街道', en: 'Yingbin' },
      { zh: '五五新镇街道', en: 'Wuwu New Town' },
    ],
    districtColumns: 3,
    communityGrid: { columns: 12, rows: 7 }, // 84 communities (brief)
    residents: 250_000, // brief
    gridCellM: 400,
    utcOffsetHours: 8, // China Standard Time
    platePrefix: '新J',
    cameraSites: { 'hd-video': 830, 'e-police': 0, 'smart-light': 0 }, // brief: 830 collection points
    cameras: 1_710, // brief
    policeStations: 12,
    policeCars: 280, // brief
    policeOfficers: 500, // brief
    inspectors: 170,
    busRoutes: 32,
    buses: 400, // brief
    taxis: 1_242, // brief
    trucks: 0,
  },
  daqing: {
    id: 'daqing',
    nameZh: '大庆',
    nameEn: 'Daqing',
    center: [125.1035, 46.5891],
    seed: 20_260_002,
    widthKm: 18,
    heightKm: 12,
    gridRotationDeg: 0,
    streetSpacingM: 300,
    arterialEvery: 4,
    ringRoads: [{ zh: '环城路', en: 'Ring Rd', fraction: 0.7 }],
    river: { zh: '西干渠', en: 'Xigan Canal' },
    districts: [
      { zh: '萨尔图区', en: 'Sartu' },
      { zh: '让胡路区', en: 'Ranghulu' },
      { zh: '龙凤区', en: 'Longfeng' },
      { zh: '红岗区', en: 'Honggang' },
      { zh: '大同区', en: 'Datong' },
      { zh: '高新区', en: 'High-Tech Zone' },
    ],
    districtColumns: 3,
    communityGrid: { columns: 15, rows: 8 },
    residents: 1_100_000,
    gridCellM: 450,
    utcOffsetHours: 8, // China Standard Time
    platePrefix: '黑E',
    cameraSites: { 'hd-video': 900, 'e-police': 120, 'smart-light': 60 },
    cameras: 2_400,
    policeStations: 18,
    policeCars: 420,
    policeOfficers: 900,
    inspectors: 400,
    busRoutes: 40,
    buses: 700,
    taxis: 2_500,
    trucks: 0,
  },
  dashiqiao: {
    id: 'dashiqiao',
    nameZh: '大石桥',
    nameEn: 'Dashiqiao',
    center: [122.5094, 40.6445],
    seed: 20_260_003,
    widthKm: 7,
    heightKm: 5,
    gridRotationDeg: 12,
    streetSpacingM: 260,
    arterialEvery: 4,
    ringRoads: [],
    river: { zh: '大清河', en: 'Daqing River' },
    districts: [
      { zh: '石桥街道', en: 'Shiqiao' },
      { zh: '钢都街道', en: 'Gangdu' },
      { zh: '青花街道', en: 'Qinghua' },
      { zh: '金桥街道', en: 'Jinqiao' },
    ],
    districtColumns: 2,
    communityGrid: { columns: 6, rows: 6 },
    residents: 180_000,
    gridCellM: 350,
    utcOffsetHours: 8, // China Standard Time
    platePrefix: '辽H',
    cameraSites: { 'hd-video': 93, 'e-police': 28, 'smart-light': 17 }, // brief
    cameras: 138,
    policeStations: 5,
    policeCars: 75, // brief
    policeOfficers: 150,
    inspectors: 60,
    busRoutes: 10,
    buses: 80,
    taxis: 300,
    trucks: 1_208, // brief: transport vehicles with GPS
  },
  yantai: {
    id: 'yantai',
    nameZh: '烟台',
    nameEn: 'Yantai',
    center: [121.3914, 37.5393],
    seed: 20_260_004,
    widthKm: 24,
    heightKm: 12,
    gridRotationDeg: 8,
    streetSpacingM: 320,
    arterialEvery: 4,
    ringRoads: [{ zh: '环城路', en: 'Ring Rd', fraction: 0.75 }],
    river: { zh: '夹河', en: 'Jia River' },
    districts: [
      { zh: '芝罘区', en: 'Zhifu' },
      { zh: '莱山区', en: 'Laishan' },
      { zh: '福山区', en: 'Fushan' },
      { zh: '开发区', en: 'Development Zone' },
      { zh: '高新区', en: 'High-Tech Zone' },
      { zh: '牟平区', en: 'Muping' },
      { zh: '蓬莱区', en: 'Penglai' },
      { zh: '黄渤海新区', en: 'Huangbohai New Area' },
    ],
    districtColumns: 4,
    communityGrid: { columns: 20, rows: 8 },
    residents: 2_300_000,
    gridCellM: 500,
    utcOffsetHours: 8, // China Standard Time
    platePrefix: '鲁F',
    cameraSites: { 'hd-video': 1_400, 'e-police': 200, 'smart-light': 80 },
    cameras: 3_800,
    policeStations: 30,
    policeCars: 800,
    policeOfficers: 2_000,
    inspectors: 900,
    busRoutes: 60,
    buses: 1_500,
    taxis: 5_000,
    trucks: 0,
  },
  // The scale profile (issue 19): not a city of the brief but a provincial capital's load —
  // Hangzhou's ~4,500 traffic cameras, a bus fleet near New York's, 100,000 moving units — to
  // measure the live core at city scale (`CITY=megacity`).
  megacity: {
    id: 'megacity',
    nameZh: '超大城市',
    nameEn: 'Megacity',
    center: [120.1551, 30.2741],
    seed: 20_260_005,
    widthKm: 36,
    heightKm: 24,
    gridRotationDeg: 0,
    streetSpacingM: 400,
    arterialEvery: 4,
    ringRoads: [
      { zh: '内环', en: 'Inner Ring', fraction: 0.4 },
      { zh: '外环', en: 'Outer Ring', fraction: 0.8 },
    ],
    river: { zh: '钱塘江', en: 'Qiantang River' },
    districts: [
      { zh: '上城区', en: 'Shangcheng' },
      { zh: '拱墅区', en: 'Gongshu' },
      { zh: '西湖区', en: 'Xihu' },
      { zh: '滨江区', en: 'Binjiang' },
      { zh: '萧山区', en: 'Xiaoshan' },
      { zh: '余杭区', en: 'Yuhang' },
      { zh: '临平区', en: 'Linping' },
      { zh: '钱塘区', en: 'Qiantang' },
      { zh: '富阳区', en: 'Fuyang' },
      { zh: '临安区', en: "Lin'an" },
    ],
    districtColumns: 5,
    communityGrid: { columns: 30, rows: 20 },
    residents: 12_000_000,
    gridCellM: 500,
    utcOffsetHours: 8, // China Standard Time
    platePrefix: '浙A',
    cameraSites: { 'hd-video': 1_800, 'e-police': 300, 'smart-light': 100 },
    cameras: 4_500,
    policeStations: 60,
    policeCars: 6_000,
    policeOfficers: 10_000,
    inspectors: 4_000,
    busRoutes: 300,
    buses: 8_000,
    taxis: 60_000,
    trucks: 12_000,
  },
} satisfies Record<string, CityProfile>;

export type CityProfileId = keyof typeof cityProfiles;
export const cityProfileIds = Object.keys(cityProfiles) as CityProfileId[];
/** The city `npm start` loads when CITY is not set. */
export const defaultCity: CityProfileId = 'karamay';
