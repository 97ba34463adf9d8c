import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../geo/test-support.ts';
import { cityProfiles, generateCity } from '../seeds/index.ts';
import type { LiveEntity } from '../streams/index.ts';
import { osmandFix, seen, startTestServer, type TestServer } from './test-server.ts';

const karamay = generateCity(cityProfiles.karamay);
const district = karamay.districts[1]!;
const at = karamay.busStops[5]!.point;

describe.each(testBackends())('the administrator’s registry, audit export and set-aside replay, on the $name database', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { TICK_MS: '200' });
  });
  afterAll(() => server?.close());
  const located = async (id: string) => ((await (await server.api('/api/entities')).json()) as LiveEntity[]).find((e) => e.id === id);

  it('takes a tracker once its unit is registered, imports a CSV all or nothing, and refuses a retired unit’s tracker', async () => {
    const admin = await server.as('admin');
    const post = (path: string, body: string, type = 'application/json') => admin.fetch(path, { method: 'POST', headers: { 'content-type': type }, body });
    const nowS = Math.floor(Date.now() / 1000);
    expect((await osmandFix(server.osmandUrl, 'trk-9001', at, nowS - 30)).status, 'not registered yet').toBe(400);

    const registered = await post('/api/devices', JSON.stringify({ id: 'trk-9001', kind: 'police-car', label: '新J9001警', agency: '白碱滩派出所', district: district.nameZh }));
    expect(registered.status).toBe(201);
    expect(await registered.json()).toMatchObject({ id: 'trk-9001', kind: 'police-car', agency: '白碱滩派出所', districtId: district.id, registeredBy: 'admin', retiredAt: null, lastFixAt: null });
    expect((await osmandFix(server.osmandUrl, 'trk-9001', at, nowS - 20)).status).toBe(200);
    expect((await seen(() => located('trk-9001'))).updatedAt).toBe(new Date((nowS - 20) * 1000).toISOString());

    // A file with bad rows registers nothing and names each line and field.
    const header = 'id,kind,label,agency,district';
    const good = ['insp-9001,inspector,网格员 9001,城管局,', `insp-9002,inspector,"网格员 9002, 二组",城管局,${district.nameEn}`, 'taxi-9001,taxi,"=HYPERLINK(""x"")",出租车公司,'];
    const bad = await post('/api/devices/import', [header, ...good, 'x-1,ufo,飞碟,,', `insp-9003,inspector,网格员 9003,,火星区`, 'pc-0001,taxi,重复,,'].join('\n'), 'text/csv');
    expect(bad.status).toBe(400);
    const refused = (await bad.json()) as { error: string; problems: { line: number; field: string }[] };
    expect(refused.problems.map((p) => `${p.line}:${p.field}`)).toEqual(['5:kind', '6:district', '7:kind']);
    expect(refused.error).toMatch(/^3 problems, nothing registered: line 5, kind: /);
    const count = async () => ((await (await admin.fetch('/api/devices?limit=1')).json()) as { total: number }).total;
    const before = await count();
    expect(before).toBe(karamay.entities.length + 1);
    for (const _ of [1, 2]) {
      const imported = await post('/api/devices/import', `\ufeff${[header, ...good].join('\r\n')}\r\n`, 'text/csv');
      expect(await imported.json(), 'the same file twice: the same three units').toEqual({ registered: 3 });
      expect(await count()).toBe(before + 3);
    }
    const [second] = ((await (await admin.fetch('/api/devices?q=9002')).json()) as { devices: { label: string; districtId: string }[] }).devices;
    expect(second).toMatchObject({ label: '网格员 9002, 二组', districtId: district.id });

    const retired = await post('/api/devices/trk-9001/retire', '');
    expect(retired.status).toBe(200);
    expect((await osmandFix(server.osmandUrl, 'trk-9001', at, nowS - 10)).status, 'a retired unit’s tracker is refused').toBe(400);
    expect(await located('trk-9001'), 'and it leaves the map').toBeUndefined();
    const listed = (await (await admin.fetch('/api/devices?retired=true')).json()) as { devices: { id: string; retiredAt: string | null }[] };
    expect(listed.devices.map((d) => d.id)).toEqual(['trk-9001']);

    // Everything above is in the audit log, and its CSV export defuses a formula in a label.
    const csv = await admin.fetch('/api/audit.csv?action=devices-imported');
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)], 'a BOM, so a spreadsheet reads UTF-8').toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    expect(lines[0]).toBe('id,at,actor,action,object type,object id,before,after,client');
    expect(lines.filter((line) => line.includes('"devices-imported"'))).toHaveLength(2);
    const registeredCsv = await (await admin.fetch('/api/audit.csv?action=device-registered')).text();
    expect(registeredCsv, 'text a spreadsheet would run stays text').not.toMatch(/"=/);
    const audit = (await (await admin.fetch('/api/audit?action=device-retired')).json()) as { actor: string; objectId: string }[];
    expect(audit).toEqual([expect.objectContaining({ actor: 'admin', objectId: 'trk-9001' })]);
    expect((await (await server.as('dispatcher')).fetch('/api/devices')).status, 'admins only').toBe(403);
  });

  it('replays an item set aside once its cause is fixed, once, audited', async () => {
    const admin = await server.as('admin');
    const unit = karamay.entities.find((e) => e.kind === 'taxi')!;
    const eventTime = Date.now() - 5_000;
    const event = { type: 'position', sourceId: 'osmand', entityId: unit.id, lon: at[0], lat: at[1], headingDeg: null, speedKmh: null, eventTime, receivedAt: eventTime };
    const [{ id }] = (await server.db.query<{ id: number }>(`INSERT INTO set_aside_items (pipeline, item, error) VALUES ('position', $1, 'a test refusal') RETURNING id::int AS id`, [JSON.stringify(event)])) as [{ id: number }];
    const replay = () => admin.fetch(`/api/set-aside/${id}/replay`, { method: 'POST' });
    const first = await replay();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ id, replayedBy: 'admin', replayedAt: expect.any(String) });
    expect((await seen(async () => ((await located(unit.id))?.updatedAt === new Date(eventTime).toISOString() ? true : undefined))), 'applied in a tick').toBe(true);
    expect((await replay()).status, 'once').toBe(409);
    const audit = (await (await admin.fetch('/api/audit?action=set-aside-replayed')).json()) as { objectId: string }[];
    expect(audit.map((entry) => entry.objectId)).toEqual([String(id)]);
  });
});
