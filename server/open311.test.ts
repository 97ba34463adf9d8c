import booleanPointInPolygon from '@turf/boolean-point-in-polygon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { ServiceRequest } from '../streams/index.ts';
import { startTestServer, watchLive, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const stop = karamay.busStops[5]!;
const site = karamay.cameraSites[10]!;
const holding = (point: [number, number], places: { id: string; ring: [number, number][] }[]) =>
  places.find((p) => booleanPointInPolygon(point, { type: 'Polygon', coordinates: [p.ring] }))?.id;

// One back end: this is about the protocol; geo/incidents.test.ts registers reports on both.
describe.each(testBackends().slice(0, 1))('Open311 GeoReport v2 on the $name database', (backend) => {
  let server: TestServer;
  let live: Awaited<ReturnType<typeof watchLive>>;
  const pushed: ServiceRequest[] = [];
  beforeAll(async () => {
    server = await startTestServer(backend);
    live = await watchLive(server, ['alerts']);
    live.socket.on('service-requests', (requests) => pushed.push(...requests));
  });
  afterAll(async () => {
    live?.socket.close();
    await server?.close();
  });
  const open311 = (path: string, init?: RequestInit) => server.feed(`/open311/v2/${path}`, init);
  const post = (form: Record<string, string>) => open311('requests.json', { method: 'POST', body: new URLSearchParams(form) });

  it('lists its services, in Chinese by default and in English on request', async () => {
    const zh = (await (await open311('services.json')).json()) as Record<string, unknown>[];
    expect(zh).toHaveLength(11);
    expect(zh.find((s) => s.service_code === 'garbage')).toEqual({ service_code: 'garbage', service_name: '垃圾堆放', description: '生活或建筑垃圾未及时清运', metadata: false, type: 'realtime', keywords: 'garbage,litter,waste,垃圾', group: '市容环境' });
    const en = (await (await open311('services.json?lang=en')).json()) as Record<string, unknown>[];
    expect(new Set(en.map((s) => s.group))).toEqual(new Set(['City appearance', 'Environment', 'Property', 'Public facilities', 'Traffic', 'Public safety']));
  });

  it('registers a citizen’s report placed in its grid cell, district and department, pushes it, and keeps contacts private', async () => {
    const response = await post({ service_code: 'garbage', lat: String(stop.point[1]), long: String(stop.point[0]), description: '<script>alert(1)</script> 垃圾', phone: '13912345678', email: 'wang@example.com' });
    expect(response.status).toBe(201);
    const [receipt] = (await response.json()) as { service_request_id: string; token: string; service_notice: string }[];
    expect(receipt).toEqual({ service_request_id: expect.stringMatching(/^\d+$/), token: expect.stringMatching(/^[0-9a-f-]{36}$/), service_notice: '已登记，转交城市管理局办理。', account_id: null });
    expect(await (await open311(`tokens/${receipt!.token}.json`)).json(), 'its token finds it too').toEqual([{ service_request_id: receipt!.service_request_id, token: receipt!.token }]);

    const [found] = (await (await open311(`requests/${receipt!.service_request_id}.json`)).json()) as Record<string, unknown>[];
    expect(found).toMatchObject({
      service_request_id: receipt!.service_request_id,
      status: 'open',
      lifecycle_status: 'registered',
      service_code: 'garbage',
      service_name: '垃圾堆放',
      agency_responsible: '城市管理局',
      description: '<script>alert(1)</script> 垃圾',
      lat: stop.point[1],
      long: stop.point[0],
      district_id: holding(stop.point, karamay.districts),
      grid_cell_id: holding(stop.point, karamay.gridCells),
    });
    expect(JSON.stringify(found)).not.toMatch(/13912345678|wang@example\.com/);
    for (let i = 0; i < 50 && pushed.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(pushed.map((r) => String(r.id))).toEqual([receipt!.service_request_id]);
  });

  it('takes an inspector’s patrol report and an address in the city', async () => {
    const patrol = await post({ service_code: 'manhole', lat: String(stop.point[1]), long: String(stop.point[0]), device_id: 'insp-0001' });
    expect(patrol.status).toBe(201);
    const [patrolReceipt] = (await patrol.json()) as { service_request_id: string }[];
    const reporter = await server.db.query<{ reporter: string; department_id: string }>('SELECT reporter, department_id FROM service_requests WHERE id = $1', [Number(patrolReceipt!.service_request_id)]);
    expect(reporter).toEqual([{ reporter: 'inspector', department_id: 'municipal-utilities' }]);

    const byAddress = await post({ service_code: 'street-light', address_string: site.nameZh });
    expect(byAddress.status).toBe(201);
    const [addressReceipt] = (await byAddress.json()) as { service_request_id: string }[];
    const [placed] = (await (await open311(`requests/${addressReceipt!.service_request_id}.json?lang=en`)).json()) as Record<string, unknown>[];
    expect(placed).toMatchObject({ lat: site.point[1], long: site.point[0], address: site.nameZh, agency_responsible: 'Municipal Utilities Service Centre' });
  });

  it('answers what it cannot take in the spec’s error shape, with the reason', async () => {
    const refused = async (form: Record<string, string>) => {
      const response = await post(form);
      return [response.status, await response.json()];
    };
    expect(await refused({ lat: '45.6', long: '84.9' })).toEqual([400, [{ code: 400, description: 'service_code is required' }]]);
    expect(await refused({ service_code: 'potholes', lat: String(stop.point[1]), long: String(stop.point[0]) })).toEqual([400, [{ code: 400, description: 'service_code "potholes" not found; see services.json' }]]);
    expect(await refused({ service_code: 'garbage', lat: '39.9042', long: '116.4074' })).toEqual([400, [{ code: 400, description: "the location 39.9042, 116.4074 is outside this city's districts" }]]);
    expect(await refused({ service_code: 'garbage', address_string: 'Atlantis Road' })).toEqual([
      400,
      [{ code: 400, description: 'address_string "Atlantis Road" is not a crossing, stop or road of this city; send lat and long instead' }],
    ]);
    const unknownToken = await open311('tokens/0c6b7e4e-6f43-4a8e-9a53-1f1d2c3b4a59.json');
    expect([unknownToken.status, (await unknownToken.json())[0].description]).toEqual([404, expect.stringMatching(/no service request is registered under token .*post it again to see why/)]);
    const missing = await open311('requests/999999.json');
    expect([missing.status, await missing.json()]).toEqual([404, [{ code: 404, description: 'service request 999999 not found' }]]);
    const xml = await open311('requests.xml');
    expect(xml.status).toBe(404);
    expect((await xml.json())[0].description).toMatch(/served as \.json/);
  });

  it('filters requests by service, status and id', async () => {
    const list = async (query: string) => ((await (await open311(`requests.json${query}`)).json()) as { service_code: string; status: string }[]);
    expect((await list('')).length).toBeGreaterThanOrEqual(3);
    expect(new Set((await list('?service_code=garbage')).map((r) => r.service_code))).toEqual(new Set(['garbage']));
    expect(await list('?status=closed')).toEqual([]);
    expect((await list('?status=open')).length).toBeGreaterThanOrEqual(3);
    const bad = await open311('requests.json?start_date=yesterday');
    expect([bad.status, await bad.json()]).toEqual([400, [{ code: 400, description: 'start_date "yesterday" is not an ISO 8601 date' }]]);
  });
});
