/**
 * A semantic miss's vector and question reach the relay's fill through Redis, not through the
 * identity and the signed plan: the fill still stores them; gone (expired) or replaced while the
 * answer is on its way, the fill is skipped and counted, never stored with another vector; and
 * what the plugins after the cache re-read and what the plan carries stay small.
 */
import OpenAI from 'openai';
import { encodePendingFill, pendingFillDigest } from '../../lib/semantic-cache/pending-fill';
import { cacheKeyOf } from '../../lib/semantic-cache/scope';
import { CacheStore } from '../../lib/semantic-cache/store';
import { closeStores, redisFor } from '../../lib/store-clients';
import { mockDirective } from '../harness/mock-provider';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { cacheTeam, waitForFill } from './cache-helpers';
import { pdkCallMeter } from './pdk-calls';

const local = localOnly('starts the inference sidecar');

const MODEL = 'gpt-4o-mini';
let stack: DevStack;
let store: CacheStore;
let teamId: string;
let openai: OpenAI;
const meter = pdkCallMeter();

beforeAll(async () => {
  stack = await startDevStack({
    env: {},
    cache: true,
    inference: { env: { INFERENCE_WORKERS: '1' } },
    // What is tested is what is filled, not how fast: a loaded machine must not turn an embedding into a miss.
    sourceTransform: (deck) => {
      for (const config of pluginConfigs(deck, 'aigw-semantic-cache')) config.embed_deadline_ms = 5000;
      return deck;
    },
  });
  const team = await cacheTeam(stack, 'fill');
  teamId = team.teamId;
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: team.key, maxRetries: 0 });
  store = new CacheStore(redisFor(stack.stores.redisUrl));
}, 180_000);

afterAll(async () => {
  await stack?.close();
  await closeStores();
}, 30_000);

const bodyOf = (text: string) => ({ model: MODEL, messages: [{ role: 'user' as const, content: text }] });
const keyOf = (text: string) => cacheKeyOf('openai', bodyOf(text), `team:${teamId}`, MODEL)!;
const redis = () => redisFor(stack.stores.redisUrl);

/** The pending key(s) the cache plugin left in this question's scope. */
async function pendingKeys(text: string): Promise<string[]> {
  const [, keys] = await redis().scan('0', 'MATCH', `aigw:{sc:${keyOf(text).scopeId}}:p:*`, 'COUNT', 1000);
  return keys;
}

async function fills(result: string): Promise<number> {
  const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
  const line = metrics.split('\n').find((l) => l.startsWith(`aigw_cache_fills_total{model="${MODEL}",result="${result}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** Asks a question the mock answers slowly, and runs `meanwhile` once the plugin has left its pending pair. */
async function askSlowly(text: string, meanwhile: (pendingKey: string) => Promise<void>): Promise<void> {
  const answer = openai.chat.completions.create(bodyOf(text)).withResponse();
  const key = await waitFor(async () => (await pendingKeys(text))[0], 5000, 'the pending vector');
  await meanwhile(key);
  const done = await answer;
  expect(done.response.headers.get('x-cache-status')).toBe('Miss');
}

local.describe("a semantic miss's vector, through Redis", () => {
  test('the fill stores the vector and the question; the pending pair is taken; a reworded question then hits', async () => {
    const text = `How do I rotate a virtual key without any downtime? ${mockDirective({ tokens: 8 })}`;
    const first = await openai.chat.completions.create(bodyOf(text)).withResponse();
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    await waitForFill(store, teamId, 'openai', bodyOf(text));
    const entry = await store.getExact(keyOf(text).scopeId, keyOf(text).exactHash);
    expect(entry.ok && entry.value).toMatchObject({ query: keyOf(text).query, embedModel: expect.any(String) });
    expect(entry.ok && entry.value?.vector?.length).toBe(512);
    await waitFor(async () => ((await pendingKeys(text)).length === 0 ? true : undefined), 5000, 'the pending pair taken');
    const reworded = await openai.chat.completions
      .create(bodyOf(`How can I rotate a virtual key without any downtime? ${mockDirective({ tokens: 8 })}`))
      .withResponse();
    expect(reworded.response.headers.get('x-cache-status')).toBe('Hit');
    expect(Number(reworded.response.headers.get('x-cache-similarity'))).toBeLessThan(1);
  });

  test('gone before the answer is complete (expired): the fill is skipped and counted, nothing stored', async () => {
    const text = `Which regions does the batch export support today? ${mockDirective({ ttftMs: 1500, tokens: 8 })}`;
    const before = await fills('vector_missing');
    await askSlowly(text, async (key) => void (await redis().del(key)));
    await waitFor(async () => ((await fills('vector_missing')) === before + 1 ? true : undefined), 5000, 'the skipped fill counted');
    const entry = await store.getExact(keyOf(text).scopeId, keyOf(text).exactHash);
    expect(entry).toEqual({ ok: true, value: null });
  });

  test("another request's vector is never used: bytes under this request's key that are not its own are refused", async () => {
    const text = `What is the retention period of the audit log export? ${mockDirective({ ttftMs: 1500, tokens: 8 })}`;
    // Another question's pair, as the plugin would have left it for another request.
    const other = encodePendingFill({ vector: new Float32Array(512).fill(1 / Math.sqrt(512)), query: 'How do I delete every key?' });
    const before = await fills('vector_mismatch');
    await askSlowly(text, async (key) => {
      expect(pendingFillDigest(other)).not.toBe(pendingFillDigest((await redis().getBuffer(key))!));
      await redis().set(key, other, 'EX', 60);
    });
    await waitFor(async () => ((await fills('vector_mismatch')) === before + 1 ? true : undefined), 5000, 'the refused fill counted');
    const entry = await store.getExact(keyOf(text).scopeId, keyOf(text).exactHash);
    expect(entry).toEqual({ ok: true, value: null });
  });

  test('the identity the later plugins re-read and the plan aigw-proxy signs stay small on a semantic miss', async () => {
    const text = `How many parallel requests may one key make at most? ${mockDirective({ tokens: 8 })}`;
    const calls = await meter(async () => {
      const res = await openai.chat.completions.create(bodyOf(text)).withResponse();
      expect(res.response.headers.get('x-cache-status')).toBe('Miss');
      await waitForFill(store, teamId, 'openai', bodyOf(text));
    });
    const bytesOf = (plugin: string, method: string): number[] =>
      calls.phases
        .filter((p) => p.plugin === plugin && p.phase === 'access')
        .flatMap((p) => p.methods.flatMap((m, i) => (m === method ? [p.argBytes[i]!] : [])));
    const [identity] = bytesOf('aigw-semantic-cache', 'kong.ctx.shared.set');
    const [plan] = bytesOf('aigw-proxy', 'kong.service.request.set_headers');
    // With the 512-float vector in them (2,732 base64 characters) they were 3,802 and 5,767 bytes; now ≈1,030 and ≈2,080.
    expect(identity).toBeLessThan(1500);
    expect(plan).toBeLessThan(2600);
  });
});
