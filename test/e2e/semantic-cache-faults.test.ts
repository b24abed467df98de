/**
 * The semantic cache fails open and says so: with its Redis unreachable a lookup is a miss the
 * provider answers (never an error, never a hit), counted in the plugin server's own metrics,
 * which Prometheus scrapes from the loopback port AIGW_PLUGIN_METRICS_PORTS gives it.
 *
 * The cache plugin reaches Redis through a TCP gate here, so the test can take Redis away from the
 * cache alone: with all of Redis down, keys, limits and budgets fail closed by design
 * (fail-closed.test.ts), which would hide whether the cache itself fails open. The relay fills
 * through its own connection to the same Redis.
 */
import OpenAI from 'openai';
import { CacheStore } from '../../lib/semantic-cache/store';
import { closeStores, redisFor } from '../../lib/store-clients';
import { mockDirective } from '../harness/mock-provider';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import { freePort } from '../harness/stores/ports';
import { startTcpGate, type TcpGate } from '../harness/stores/tcp-gate';
import { waitFor } from '../harness/wait-for';
import { waitForFill } from './cache-helpers';
import { uniqueName } from './helpers';

const local = localOnly('starts its own stores and takes Redis away from the cache');

let stores: SharedStores;
let gate: TcpGate;
let stack: DevStack;
let metricsUrl: string;
let client: OpenAI;
let teamId: string;
let teamName: string;
const MODEL = 'gpt-4o-mini';

beforeAll(async () => {
  stores = await startSharedStores();
  gate = await startTcpGate(stores.redis.port);
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  stack = await startDevStack({
    env: {},
    stores,
    cache: true,
    pluginMetricsPorts: `aigw-semantic-cache=${metricsPort}`,
    deckTransform: (deck) => {
      for (const config of pluginConfigs(deck, 'aigw-semantic-cache')) config.redis_url = `redis://127.0.0.1:${gate.port}`;
      return deck;
    },
  });
  const team = await stack.admin('POST', '/admin/teams', { name: uniqueName('cache-faults') });
  const key = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('cache-faults'), team: team.body.id });
  expect([team.status, key.status]).toEqual([201, 201]);
  teamId = team.body.id as string;
  teamName = team.body.name as string;
  client = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: key.body.key as string, maxRetries: 0 });
}, 120_000);

afterAll(async () => {
  await stack?.close().catch(() => undefined);
  await gate?.stop().catch(() => undefined);
  await closeStores();
  await stores?.stop().catch(() => undefined);
}, 30_000);

/** One series' value from the plugin server's /metrics (0 when absent). */
async function metric(text: string, series: string): Promise<number> {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

local.describe('the semantic cache with its Redis unreachable', () => {
  test('a hit before; a miss answered by the provider while Redis is gone, counted as failing open; hits again once it is back', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: `What does the relay do? ${mockDirective({ tokens: 8 })}` }];
    const first = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    await waitForFill(new CacheStore(redisFor(stores.redisUrl)), teamId, 'openai', { model: MODEL, messages });
    const hit = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');

    let text = await (await fetch(metricsUrl)).text();
    expect(await metric(text, 'aigw_cache_lookups_total{result="hit",kind="exact"}')).toBe(1);
    expect(await metric(text, 'aigw_cache_lookups_total{result="miss",kind="exact"}')).toBe(1);
    expect(await metric(text, `aigw_cache_saved_usd_total{model="gpt-4o-mini",team="${teamName}",key=""}`)).toBeGreaterThan(0);
    expect(text).toMatch(/aigw_cache_lookup_seconds_bucket\{le="[\d.]+",result="hit"\} 1/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);

    await gate.close();
    stack.mock.reset();
    const started = Date.now();
    const during = await client.chat.completions.create({ model: MODEL, messages }).withResponse();
    expect(during.response.status).toBe(200);
    expect(during.response.headers.get('x-cache-status')).toBe('Miss');
    expect(during.data.choices[0]!.message.content?.length).toBeGreaterThan(0);
    expect(stack.mock.requests).toHaveLength(1); // answered by the provider, not from the cache
    expect(Date.now() - started).toBeLessThan(5000); // the lookup gave up quickly
    text = await (await fetch(metricsUrl)).text();
    expect(await metric(text, 'aigw_fail_open_total{component="aigw-semantic-cache",stage="exact"}')).toBeGreaterThanOrEqual(1);

    await gate.open();
    await waitFor(
      async () => (await client.chat.completions.create({ model: MODEL, messages }).withResponse()).response.headers.get('x-cache-status') === 'Hit',
      10_000,
      'a hit once Redis is back',
    );
  }, 60_000);
});
