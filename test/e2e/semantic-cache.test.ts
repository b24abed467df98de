/**
 * The semantic cache end to end: the official `openai` and `@anthropic-ai/sdk` clients get hits in
 * their own format, streamed and not, exact and reworded, with the cache headers; two teams never
 * share an entry; a trap (a negated question) is refused by the guards; Cache-Control is honoured;
 * a hit costs $0 in the ledger with the dollars it saved; Redis or the sidecar in trouble is a miss,
 * never an error.
 *
 * Fills happen in the relay after the answer: each test waits for the entry to be in Redis (the
 * store's exact key) before asking again, never for time.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { cacheKeyOf } from '../../lib/semantic-cache/scope';
import { CacheStore } from '../../lib/semantic-cache/store';
import { closeStores, redisFor } from '../../lib/store-clients';
import { mockDirective } from '../harness/mock-provider';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { REPO_ROOT } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { ledgerRows } from './billing-helpers';
import { waitForFill } from './cache-helpers';
import { readChatStream, uniqueName } from './helpers';

const local = localOnly('starts the inference sidecar and stops stores');

const run = promisify(execFile);
let stack: DevStack;
/** A second node of the same gateway (its own Kong, plugin servers, relay and sidecar; the same stores). */
let nodeB: DevStack;
let store: CacheStore;
const teams: Array<{ teamId: string; key: string; keyId: string; openai: OpenAI; anthropic: Anthropic }> = [];

/** What is tested is what the cache answers, not how fast: a loaded machine must not turn an embedding into a miss (on either node). */
function patientEmbedding(deck: Record<string, unknown>): Record<string, unknown> {
  for (const config of pluginConfigs(deck, 'aigw-semantic-cache')) config.embed_deadline_ms = 5000;
  return deck;
}

beforeAll(async () => {
  stack = await startDevStack({
    env: {},
    cache: true,
    inference: { env: { INFERENCE_WORKERS: '1' } },
    sourceTransform: patientEmbedding,
  });
  for (const name of ['cache-a', 'cache-b']) {
    const team = await stack.admin('POST', '/admin/teams', { name: uniqueName(name) });
    const key = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName(name), team: team.body.id });
    expect([team.status, key.status]).toEqual([201, 201]);
    const raw = key.body.key as string;
    teams.push({
      teamId: team.body.id as string,
      key: raw,
      keyId: key.body.id as string,
      openai: new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: raw, maxRetries: 0 }),
      anthropic: new Anthropic({ baseURL: stack.url, apiKey: raw, maxRetries: 0 }),
    });
  }
  store = new CacheStore(redisFor(stack.stores.redisUrl));
  nodeB = await startDevStack({
    env: {},
    cache: true,
    stores: stack.stores,
    inference: { env: { INFERENCE_WORKERS: '1' } },
    sourceTransform: patientEmbedding,
  });
}, 180_000);

afterAll(async () => {
  await nodeB?.close();
  await stack?.close();
  await closeStores();
}, 30_000);

async function aigw(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(REPO_ROOT, 'dist', 'cli', 'aigw.js'), ...args, '--json'], {
    env: { PATH: process.env.PATH ?? '', AIGW_ADMIN_URL: stack.url, AIGW_ADMIN_KEY: stack.adminKey },
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

beforeEach(() => stack.mock.reset());

const MODEL = 'gpt-4o-mini';
const chat = (text: string): OpenAI.ChatCompletionMessageParam[] => [{ role: 'user', content: text }];

const filled = (teamId: string, format: 'openai' | 'anthropic', body: Record<string, unknown>): Promise<void> => waitForFill(store, teamId, format, body);

local.describe('semantic cache through the gateway', () => {
  test('openai: a miss fills; the same question is an exact hit, non-streamed and streamed, with the headers and cost 0', async () => {
    const a = teams[0]!;
    const question = `How do I rotate a virtual key without downtime? ${mockDirective({ tokens: 12 })}`;
    const first = await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    expect(stack.mock.requests).toHaveLength(1);
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(question) });

    const hit = await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    expect(hit.response.headers.get('x-cache-similarity')).toBe('1.0000');
    expect(hit.response.headers.get('x-cache-key')).toMatch(/^[0-9a-f]{32}$/);
    expect(Number(hit.response.headers.get('x-cache-ttl'))).toBeGreaterThan(3500);
    expect(hit.response.headers.get('age')).toMatch(/^\d+$/);
    expect(hit.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(hit.data.usage).toMatchObject({ prompt_tokens: first.data.usage!.prompt_tokens, completion_tokens: 12, cost: 0 });
    expect(stack.mock.requests).toHaveLength(1); // the provider was not called again
    const metrics = await (await fetch(`${stack.relay.url}/metrics`)).text();
    expect(metrics).toMatch(/aigw_cache_fills_total\{model="gpt-4o-mini",result="stored"\} [1-9]/);

    const stream = await a.openai.chat.completions
      .create({ model: MODEL, stream: true, stream_options: { include_usage: true }, messages: chat(question) })
      .withResponse();
    expect(stream.response.headers.get('x-cache-status')).toBe('Hit');
    const { text, usage } = await readChatStream(stream.data);
    expect(text).toBe(first.data.choices[0]!.message.content);
    expect(usage).toMatchObject({ completion_tokens: 12 });
    expect(stack.mock.requests).toHaveLength(1);
  });

  test('a long prompt (past what is embedded) is answered and cached exactly: its text never rides in the plan header', async () => {
    const a = teams[0]!;
    // Well past Node's 16 KB header limit had the text travelled to the relay in the signed plan.
    const question = `Summarise this log. ${'line of a long build log with no secret in it; '.repeat(900)} ${mockDirective({ tokens: 5 })}`;
    const before = stack.mock.requests.length;
    const first = await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(first.response.status).toBe(200);
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(question) });
    const hit = await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    expect(hit.data.choices[0]!.message.content).toBe(first.data.choices[0]!.message.content);
    expect(stack.mock.requests.length - before).toBe(1);
  });

  test('anthropic: hits in Anthropic JSON and SSE', async () => {
    const a = teams[0]!;
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      messages: [{ role: 'user' as const, content: `Which port does the relay listen on? ${mockDirective({ tokens: 9 })}` }],
    };
    const first = await a.anthropic.messages.create(request).withResponse();
    expect(first.response.headers.get('x-cache-status')).toBe('Miss');
    await filled(a.teamId, 'anthropic', request);
    const hit = await a.anthropic.messages.create(request).withResponse();
    expect(hit.response.headers.get('x-cache-status')).toBe('Hit');
    expect(hit.data.content).toEqual(first.data.content);
    expect(hit.data.usage.output_tokens).toBe(9);
    const stream = a.anthropic.messages.stream(request);
    const final = await stream.finalMessage();
    expect(final.content).toEqual(first.data.content);
    expect(stack.mock.requests).toHaveLength(1);
  });

  test('a reworded question is a semantic hit; a negated one is vetoed by the guards', async () => {
    const a = teams[0]!;
    const original = `How do I enable streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`;
    await a.openai.chat.completions.create({ model: MODEL, messages: chat(original) });
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(original) });
    const reworded = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(`How can I turn on streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`) })
      .withResponse();
    expect(reworded.response.headers.get('x-cache-status')).toBe('Hit');
    expect(Number(reworded.response.headers.get('x-cache-similarity'))).toBeLessThan(1);
    const negated = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(`How do I disable streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`) })
      .withResponse();
    expect(negated.response.headers.get('x-cache-status')).toBe('Miss');
  });

  test('two teams sending the same prompt never share an entry', async () => {
    const [a, b] = teams as [(typeof teams)[0], (typeof teams)[0]];
    const question = `What does the budget reservation cover? ${mockDirective({ tokens: 5 })}`;
    await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) });
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(question) });
    const other = await b.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(other.response.headers.get('x-cache-status')).toBe('Miss');
    expect(stack.mock.requests).toHaveLength(2);
  });

  test('Cache-Control: no-store bypasses (and stores nothing); no-cache refreshes; max-age=0 refuses an old entry', async () => {
    const a = teams[0]!;
    const question = `Where is the spend ledger kept? ${mockDirective({ tokens: 4 })}`;
    const bypass = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(question) }, { headers: { 'cache-control': 'no-store' } })
      .withResponse();
    expect(bypass.response.headers.get('x-cache-status')).toBe('Bypass');
    await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) });
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(question) });
    const refresh = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(question) }, { headers: { 'cache-control': 'no-cache' } })
      .withResponse();
    expect(refresh.response.headers.get('x-cache-status')).toBe('Refresh');
    await waitFor(async () => Date.now() % 1000 > 0, 2000, 'a moment'); // entries are at least some ms old
    const young = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(question) }, { headers: { 'cache-control': 'max-age=0' } })
      .withResponse();
    expect(young.response.headers.get('x-cache-status')).toBe('Miss');
    expect(stack.mock.requests).toHaveLength(4);
  });

  test('X-Aigw-Cache-Ttl shortens how long an answer is kept; a team set by `aigw teams update` to a TTL, to exact-only, then off', async () => {
    const b = teams[1]!;
    // The stored entry's TTL; a read the loaded machine times out (Redis commands give up after 500 ms) is read again.
    const entryTtl = (body: Record<string, unknown>): Promise<number> => {
      const key = cacheKeyOf('openai', body, `team:${b.teamId}`, MODEL)!;
      return waitFor(
        async () => {
          const found = await store.getExact(key.scopeId, key.exactHash);
          return found.ok ? (found.value?.ttlSeconds ?? 0) : undefined;
        },
        5000,
        'a read of the cache entry',
      );
    };
    const short = `Which headers does a cache hit carry? ${mockDirective({ tokens: 4 })}`;
    await b.openai.chat.completions.create({ model: MODEL, messages: chat(short) }, { headers: { 'x-aigw-cache-ttl': '30' } });
    await filled(b.teamId, 'openai', { model: MODEL, messages: chat(short) });
    expect(await entryTtl({ model: MODEL, messages: chat(short) })).toBe(30);
    const shortHit = await b.openai.chat.completions.create({ model: MODEL, messages: chat(short) }).withResponse();
    expect(Number(shortHit.response.headers.get('x-cache-ttl'))).toBeLessThanOrEqual(30);

    // The team's TTL replaces the route's (3600) for its new entries.
    expect(await aigw('teams', 'update', b.teamId, '--cache-ttl', '120')).toMatchObject({ cache_ttl_seconds: 120 });
    const long = `Which port does Prometheus scrape for the relay? ${mockDirective({ tokens: 4 })}`;
    await waitFor(
      async () => {
        await b.openai.chat.completions.create({ model: MODEL, messages: chat(long) }, { headers: { 'cache-control': 'no-cache' } });
        await filled(b.teamId, 'openai', { model: MODEL, messages: chat(long) });
        return (await entryTtl({ model: MODEL, messages: chat(long) })) === 120;
      },
      10_000,
      "the team's TTL on its entries (every node drops the team's keys from its cache on the change)",
    );

    // exact: the same question still hits, a reworded one is not looked up by meaning.
    const original = `How do I enable streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`;
    await b.openai.chat.completions.create({ model: MODEL, messages: chat(original) });
    await filled(b.teamId, 'openai', { model: MODEL, messages: chat(original) });
    const reworded = `How can I turn on streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`;
    expect((await b.openai.chat.completions.create({ model: MODEL, messages: chat(reworded) }).withResponse()).response.headers.get('x-cache-status')).toBe(
      'Hit',
    );
    expect(await aigw('teams', 'update', b.teamId, '--cache-mode', 'exact')).toMatchObject({ cache_mode: 'exact' });
    // The reworded question hit by meaning above; exact-only, it is a miss.
    await waitFor(
      async () =>
        (await b.openai.chat.completions.create({ model: MODEL, messages: chat(reworded) }).withResponse()).response.headers.get('x-cache-status') === 'Miss',
      10_000,
      'exact-only for the team',
    );
    expect((await b.openai.chat.completions.create({ model: MODEL, messages: chat(original) }).withResponse()).response.headers.get('x-cache-status')).toBe(
      'Hit',
    );

    expect(await aigw('teams', 'update', b.teamId, '--cache-mode', 'off', '--cache-ttl', 'none')).toMatchObject({ cache_mode: 'off', cache_ttl_seconds: null });
    await waitFor(
      async () =>
        (await b.openai.chat.completions.create({ model: MODEL, messages: chat(original) }).withResponse()).response.headers.get('x-cache-status') === 'Bypass',
      10_000,
      'the cache off for the team',
    );
    await aigw('teams', 'update', b.teamId, '--cache-mode', 'on');
  });

  test('a stream cut mid-answer is never cached', async () => {
    const a = teams[0]!;
    const cut = `Explain the relay's stream engine. ${mockDirective({ tokens: 40, cutAfterTokens: 5 })}`;
    const stream = await a.openai.chat.completions.create({ model: MODEL, stream: true, messages: chat(cut) });
    await expect(
      (async () => {
        for await (const _chunk of stream) {
          // drain until the cut
        }
      })(),
    ).rejects.toThrow();
    // A complete answer asked after it: once its fill has landed, the cut one would have too.
    const later = `Which port does the control API use? ${mockDirective({ tokens: 3 })}`;
    await a.openai.chat.completions.create({ model: MODEL, messages: chat(later) });
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(later) });
    const key = cacheKeyOf('openai', { model: MODEL, messages: chat(cut) }, `team:${a.teamId}`, MODEL)!;
    expect(await store.getExact(key.scopeId, key.exactHash)).toEqual({ ok: true, value: null });
  });

  test('hits are $0 ledger rows with the dollars they saved', async () => {
    const a = teams[0]!;
    await waitFor(async () => (await ledgerRows(stack.stores.databaseUrl, { keyIds: [a.keyId] })).some((r) => r.cache_hit === 'exact'), 5000, 'a hit row');
    const rows = await ledgerRows(stack.stores.databaseUrl, { keyIds: [a.keyId] });
    const hits = rows.filter((r) => r.cache_hit !== null);
    expect(hits.length).toBeGreaterThan(0);
    for (const row of hits) expect(row).toMatchObject({ cost_nano: 0, prompt_tokens: 0, outcome: 'cache_hit' });
    expect(hits.some((r) => (r.cache_saved_nano ?? 0) > 0)).toBe(true);
  });

  test('every node shares the entries; aigw cache stats counts hits and savings; aigw cache purge --team empties it on every node', async () => {
    const a = teams[0]!;
    const b = new OpenAI({ baseURL: `${nodeB.url}/v1`, apiKey: a.key, maxRetries: 0 });
    const question = `How do I rotate a virtual key without downtime? ${mockDirective({ tokens: 12 })}`;
    const exact = await b.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(exact.response.headers.get('x-cache-status')).toBe('Hit');
    const reworded = await b.chat.completions
      .create({ model: MODEL, messages: chat(`How can I turn on streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`) })
      .withResponse();
    expect(reworded.response.headers.get('x-cache-status')).toBe('Hit');

    const stats = (await aigw('cache', 'stats')) as { entries: number; teams: Array<{ team_id: string; entries: number; hits: number; saved_usd: number }> };
    const teamStats = stats.teams.find((t) => t.team_id === a.teamId)!;
    expect(teamStats.entries).toBeGreaterThan(0);
    expect(teamStats.hits).toBeGreaterThan(0);
    expect(teamStats.saved_usd).toBeGreaterThan(0);

    expect(await aigw('cache', 'purge', '--team', a.teamId)).toMatchObject({ purged: teamStats.entries });
    const after = (await aigw('cache', 'stats')) as { teams: Array<{ team_id: string; entries: number }> };
    expect(after.teams.find((t) => t.team_id === a.teamId)?.entries ?? 0).toBe(0);
    // Node B finds neither the reworded nor the exact question (each miss refills, so each is asked once).
    const rewordedAfter = await b.chat.completions
      .create({ model: MODEL, messages: chat(`How can I turn on streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`) })
      .withResponse();
    expect(rewordedAfter.response.headers.get('x-cache-status')).toBe('Miss');
    const exactAfter = await b.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(exactAfter.response.headers.get('x-cache-status')).toBe('Miss');
  });

  test('the sidecar stopped: exact hits still answer, a reworded question is a miss, nothing fails', async () => {
    const a = teams[0]!;
    const question = `How do I rotate a virtual key without downtime? ${mockDirective({ tokens: 12 })}`;
    await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) });
    await filled(a.teamId, 'openai', { model: MODEL, messages: chat(question) });
    await stack.inference!.close();
    const exact = await a.openai.chat.completions.create({ model: MODEL, messages: chat(question) }).withResponse();
    expect(exact.response.headers.get('x-cache-status')).toBe('Hit');
    const reworded = await a.openai.chat.completions
      .create({ model: MODEL, messages: chat(`How can I switch on streaming responses in the gateway? ${mockDirective({ tokens: 6 })}`) })
      .withResponse();
    expect(reworded.response.headers.get('x-cache-status')).toBe('Miss');
    expect(reworded.data.choices[0]!.message.content?.length).toBeGreaterThan(0);
  });
});
