/**
 * Where GET /admin/models learns the gateway's model groups: Kong's Admin API (every page of
 * /plugins, aigw-proxy's enabled instances only) or a decK file (re-read when it changes); the
 * same model on several routes is one group listing every place.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeckFileModels, gatewayModelsFrom, KongAdminModels } from '../../../sidecars/control/console/gateway-models';

const proxy = (models: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'aigw-proxy', config: { models }, ...extra });
const model = (name: string, provider = 'openai') => ({ name, target: { provider, base_url: 'https://api.example.com/v1', model: name } });

describe("Kong's Admin API", () => {
  let server: Server;
  let url: string;
  const pages: Record<string, unknown> = {
    '/plugins?size=1000': {
      data: [proxy([model('a')], { route: { id: 'r1' } }), { name: 'aigw-virtual-key', config: {} }, proxy([model('off')], { enabled: false })],
      next: '/plugins?size=1000&offset=abc',
    },
    '/plugins?size=1000&offset=abc': { data: [proxy([model('a'), model('b', 'anthropic')], { service: { id: 's1' } })], next: null },
  };
  beforeAll(async () => {
    server = createServer((req, res) => {
      const page = pages[req.url ?? ''];
      res.writeHead(page ? 200 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(page ?? { message: 'Not found' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('every page, enabled aigw-proxy instances only, one group per model with every place', async () => {
    const models = await new KongAdminModels(url).load();
    expect(models.source).toBe(`Kong Admin API ${url}`);
    expect(models.groups.map((g) => [g.name, g.where])).toEqual([
      ['a', ['route r1', 'service s1']],
      ['b', ['service s1']],
    ]);
    expect(models.groups[1]!.targets[0]).toMatchObject({ provider: 'anthropic', model: 'b', baseUrl: 'https://api.example.com/v1' });
  });

  test('an Admin API that answers an error is an error, not an empty list', async () => {
    await expect(new KongAdminModels(`${url}/nowhere/`).load()).rejects.toThrow(/answered 404/);
  });

  test('KONG_ADMIN_URL wins over AIGW_GATEWAY_CONFIG; neither is no source', () => {
    expect(gatewayModelsFrom({ KONG_ADMIN_URL: url, AIGW_GATEWAY_CONFIG: '/x' })).toBeInstanceOf(KongAdminModels);
    expect(gatewayModelsFrom({ AIGW_GATEWAY_CONFIG: '/x' })).toBeInstanceOf(DeckFileModels);
    expect(gatewayModelsFrom({})).toBeNull();
  });
});

test('a decK file in YAML, read again when it changes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'aigw-deck-'));
  try {
    const file = join(dir, 'kong.yaml');
    const yaml = (name: string) =>
      `_format_version: "3.0"\nplugins:\n  - name: aigw-proxy\n    config:\n      models:\n        - name: ${name}\n          target: {provider: openai, base_url: "https://api.openai.com/v1", model: gpt-4o}\n`;
    writeFileSync(file, yaml('first'));
    const source = new DeckFileModels(file);
    expect((await source.load()).groups.map((g) => [g.name, g.where])).toEqual([['first', ['global']]]);
    writeFileSync(file, yaml('second'));
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    expect((await source.load()).groups.map((g) => g.name)).toEqual(['second']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
