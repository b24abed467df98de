/**
 * Load balancing through the whole gateway: the real aigw-proxy plans each request through
 * lib/routing with the per-target stats in Redis, the relay feeds those stats back after every
 * attempt, and the mock plays every target. Each model below has OpenAI-compatible targets on the
 * same mock, told apart by their provider model names (`wrr-a`, `wrr-b`, …), so the answering
 * target shows in `x-aigw-upstream-model` and in the mock's recorded request bodies. Every group
 * has its own target names, hence its own target ids and stats (ids hash provider|base URL|model).
 * Priority tiers and breakers are covered by failover.test.ts and are not repeated here.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { hrwScore, TargetStats, targetId } from '../../lib/routing';
import { mockDirective } from '../harness/mock-provider';
import { MOCK_CREDENTIAL, pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';

const local = localOnly("adds load-balanced models to the deck it starts and reads the relay's metrics");

let stack: DevStack;
let openai: OpenAI;
let redis: Redis;
let stats: TargetStats;
let mockOpenAIUrl: string;

interface DeckTarget {
  provider: string;
  base_url: string;
  model: string;
  credential: string;
  weight?: number;
  priority?: number;
  rpm_limit?: number;
}

/** Adds one model per algorithm; the dev rewrite already pointed the deck's targets at the mock. */
function addBalancedModels(deck: Record<string, unknown>): Record<string, unknown> {
  const [config] = pluginConfigs(deck, 'aigw-proxy');
  if (!config) throw new Error('aigw-proxy not found in the deck');
  const models = config.models as Array<{ name: string; target?: { base_url: string } }>;
  const base = models.find((m) => m.name === 'gpt-4o-mini')?.target?.base_url;
  if (!base) throw new Error('gpt-4o-mini target not found in the deck');
  mockOpenAIUrl = base;
  const t = (model: string, extra: Partial<DeckTarget> = {}): DeckTarget => ({
    provider: 'openai',
    base_url: base,
    model,
    credential: MOCK_CREDENTIAL,
    ...extra,
  });
  models.push(
    { name: 'bal-wrr', targets: [t('wrr-a', { weight: 3 }), t('wrr-b', { weight: 1 })], balancing: { algorithm: 'weighted-round-robin' } } as never,
    { name: 'bal-hash', targets: [t('hash-a'), t('hash-b'), t('hash-c')], balancing: { algorithm: 'consistent-hash', hash_header: 'x-session-id' } } as never,
    { name: 'bal-latency', targets: [t('lat-a'), t('lat-b')], balancing: { algorithm: 'lowest-latency' } } as never,
    { name: 'bal-lif', targets: [t('lif-a'), t('lif-b')], balancing: { algorithm: 'least-in-flight' } } as never,
    // Same provider, URL and model as bal-lif's first target: the same target id, so streams held
    // through this model count as in flight on lif-a for bal-lif too (as any other group's would).
    { name: 'lif-pin', target: t('lif-a') } as never,
    { name: 'bal-usage', targets: [t('use-a', { rpm_limit: 2 }), t('use-b', { rpm_limit: 3 })], balancing: { algorithm: 'usage-based' } } as never,
  );
  return deck;
}

const idOf = (model: string): string => targetId({ provider: 'openai', baseUrl: mockOpenAIUrl, model });

beforeAll(async () => {
  stack = await startDevStack({ env: {}, deckTransform: addBalancedModels });
  const created = await stack.admin('POST', '/admin/keys', { key_alias: 'balancing' });
  expect(typeof created.body.key).toBe('string');
  openai = new OpenAI({ baseURL: `${stack.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 });
  redis = new Redis(stack.stores.redisUrl);
  stats = new TargetStats(redis);
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
});

/** Per-target stats and round-robin counters are shared in Redis: each test starts from zero. */
beforeEach(async () => {
  stack.mock.reset();
  const keys = [...(await redis.keys('aigw:{tgt:*')), ...(await redis.keys('aigw:{grp:*'))];
  if (keys.length > 0) await redis.del(...keys);
});

const prompt = (text = 'Hello'): OpenAI.ChatCompletionCreateParamsNonStreaming => ({
  model: '',
  max_tokens: 16,
  messages: [{ role: 'user', content: text }],
});

/** Sends one request to `model` and returns the provider model that answered (e.g. `wrr-a`). */
async function answeredBy(model: string, headers: Record<string, string> = {}, text?: string): Promise<string> {
  const { data, response } = await openai.chat.completions.create({ ...prompt(text), model }, { headers }).withResponse();
  expect(data.choices[0].message.content?.length).toBeGreaterThan(0);
  const upstream = response.headers.get('x-aigw-upstream-model') ?? '';
  expect(upstream).toMatch(/^openai\//);
  return upstream.slice('openai/'.length);
}

/** Provider models of the requests the mock received, in order. */
const mockModels = (): string[] => stack.mock.requests.map((r) => (r.body as { model: string }).model);

function countOf(seq: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of seq) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
}

/** Parses `aigw_relay_routing_decisions_total` from the relay's /metrics. */
async function routingDecisions(): Promise<Array<{ labels: Record<string, string>; value: number }>> {
  const text = await (await fetch(`${stack.relay.url}/metrics`)).text();
  const rows: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    const m = /^aigw_relay_routing_decisions_total\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of m[1].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    rows.push({ labels, value: Number(m[2]) });
  }
  return rows;
}

function decisionCount(rows: Awaited<ReturnType<typeof routingDecisions>>, want: Record<string, string>): number {
  return rows.filter((r) => Object.entries(want).every(([k, v]) => r.labels[k] === v)).reduce((sum, r) => sum + r.value, 0);
}

local.describe('weighted-round-robin', () => {
  // Fails if the plan ignored the shared counter (weighted random: 30:10 exactly is unlikely and
  // the a b a a pattern almost impossible), if the counter were per process or not INCRed once
  // per request, or if the smooth interleave regressed to a a a b blocks.
  it('splits 40 sequential requests exactly 30:10 for weights 3:1, interleaved a b a a', async () => {
    const seq: string[] = [];
    for (let i = 0; i < 40; i++) seq.push(await answeredBy('bal-wrr'));
    // The group counter starts from 0 (deleted in beforeEach) and is INCRed once per plan, so
    // request i plans with counter i+1: smooth WRR over weights 3:1 picks a a b a from step 0,
    // hence a b a a from step 1, period 4. No request failed over, so the answering target is
    // the planned first.
    expect(countOf(seq)).toEqual({ 'wrr-a': 30, 'wrr-b': 10 });
    expect(seq.map((s) => s.slice(-1)).join('')).toBe('abaa'.repeat(10));
    expect(mockModels()).toEqual(seq);
    expect(Number(await redis.get('aigw:{grp:bal-wrr}:wrr'))).toBe(40);
  });
});

local.describe('consistent-hash', () => {
  const hashModels = ['hash-a', 'hash-b', 'hash-c'];
  /** Where weighted rendezvous hashing puts a session (weights 1): computed independently of the gateway. */
  const expectedFor = (session: string): string =>
    hashModels.reduce((best, m) => (hrwScore(session, idOf(m), 1) > hrwScore(session, idOf(best), 1) ? m : best));

  // Fails if the plugin read another header (or none: the same session would wander), hashed a
  // different key than the header's value, or stopped answering requests without the header.
  it('keeps each x-session-id on one target, spreads sessions over all targets, and still serves requests without it', async () => {
    // Sessions chosen so that, by the hash, every target gets at least one (the target ids
    // depend on the mock's ephemeral port, so the mapping differs from run to run).
    const sessions: string[] = [];
    const covered = new Set<string>();
    for (let i = 0; covered.size < 3 || sessions.length < 5; i++) {
      const s = `session-${randomBytes(4).toString('hex')}-${i}`;
      if (covered.size < 3 && covered.has(expectedFor(s)) && sessions.length >= 2) continue;
      sessions.push(s);
      covered.add(expectedFor(s));
    }
    const results = await Promise.all(
      sessions.map(async (s) => {
        const seen: string[] = [];
        for (let i = 0; i < 20; i++) seen.push(await answeredBy('bal-hash', { 'X-Session-Id': s }));
        return seen;
      }),
    );
    results.forEach((seen, i) => {
      expect({ session: sessions[i], targets: [...new Set(seen)] }).toEqual({ session: sessions[i], targets: [expectedFor(sessions[i])] });
    });
    expect(new Set(results.map((seen) => seen[0])).size).toBe(3);

    // Without the header: no key, weighted random; every request is answered, and they are not
    // all pinned to one target (P(12 on one of 3) = 3^-11).
    const unkeyed: string[] = [];
    for (let i = 0; i < 12; i++) unkeyed.push(await answeredBy('bal-hash'));
    expect(unkeyed).toHaveLength(12);
    expect(new Set(unkeyed).size).toBeGreaterThan(1);
  });
});

local.describe('lowest-latency', () => {
  // Fails if the relay stopped recording TTFT per target, if the plugin did not read the latency
  // EWMAs (random order: the 8 fast picks would mix), if unmeasured targets were not explored
  // first, or if the comparison were inverted.
  it('explores both targets, then prefers the fast one, and follows the shared stats when they change', async () => {
    const ids = { 'lat-a': idOf('lat-a'), 'lat-b': idOf('lat-b') };
    const latencyOf = async (m: 'lat-a' | 'lat-b') => (await stats.latencies([ids[m]])).get(ids[m]) ?? null;

    // First request: no stats anywhere, so either target; the mock's queue makes it slow
    // wherever it lands (the queue scripts the next request the mock receives, whatever target).
    // 1 s: far slower than any fast answer on a loaded machine, so the halving below is certain.
    stack.mock.enqueue({ ttftMs: 1000 });
    const slow = (await answeredBy('bal-latency')) as 'lat-a' | 'lat-b';
    const fast = slow === 'lat-a' ? 'lat-b' : 'lat-a';
    // The relay records latency off the request path: wait until it is in Redis.
    const slowStats = await waitFor(async () => (await latencyOf(slow)) ?? undefined);
    expect(slowStats.ttftMs).toBeGreaterThanOrEqual(950);

    // Second request: the target without stats is explored first, and it answers fast.
    expect(await answeredBy('bal-latency')).toBe(fast);
    const fastStats = await waitFor(async () => (await latencyOf(fast)) ?? undefined);
    expect(fastStats.ttftMs).toBeLessThan(slowStats.ttftMs / 2);

    // Now every plan puts the fast target first.
    const picks: string[] = [];
    for (let i = 0; i < 8; i++) picks.push(await answeredBy('bal-latency'));
    expect(picks).toEqual(Array(8).fill(fast));

    // Another node measured the fast target as very slow (EWMA α 0.3: one 10 s sample lifts it
    // to ≥ 3 s, above the other's ~1 s): the next plans switch to the other target.
    await stats.recordLatency(ids[fast], { ttftMs: 10_000, perTokenMs: null });
    const after: string[] = [];
    for (let i = 0; i < 3; i++) after.push(await answeredBy('bal-latency'));
    expect(after).toEqual(Array(3).fill(slow));
  });
});

local.describe('least-in-flight', () => {
  const held: Array<{ abort(): void }> = [];
  afterEach(() => {
    for (const s of held.splice(0)) s.abort();
  });

  /**
   * Opens a stream paced at 10 tokens/s (`tokens` long) and waits for its first chunk; returns
   * the target that answered, `finish` (read it to the end) and `abort`.
   */
  async function holdStream(model: string, tokens: number): Promise<{ target: string; finish(): Promise<void>; abort(): void }> {
    const stream = await openai.chat.completions.create({
      model,
      stream: true,
      max_tokens: tokens,
      messages: [{ role: 'user', content: `${mockDirective({ tokens, tokensPerSecond: 10 })} hold this open` }],
    });
    const abort = (): void => stream.controller.abort();
    held.push({ abort });
    const it = stream[Symbol.asyncIterator]();
    const first = await it.next();
    expect(first.done).toBe(false);
    const target = (first.value as OpenAI.ChatCompletionChunk).model;
    const finish = async (): Promise<void> => {
      while (!(await it.next()).done);
    };
    return { target, finish, abort };
  }

  const inFlight = async (m: string): Promise<number> => (await stats.inFlight([idOf(m)])).get(idOf(m)) ?? 0;
  const waitInFlight = (m: string, n: number): Promise<true> =>
    waitFor(async () => ((await inFlight(m)) === n ? true : undefined), 5000).catch(async () => {
      throw new Error(`expected ${n} in flight on ${m}, found ${await inFlight(m)}`);
    });

  // Fails if the relay stopped counting attempts in flight (begin at the attempt's start, end when
  // it ends), if the plugin did not read the counts (random order: 5 × lif-b alone has probability
  // 1/32, and the later steps fail too), or if a finished attempt kept its lease.
  //
  // The pinned streams are read to their end: the test measures leases of attempts that end by
  // themselves (an aborted stream also frees its lease, through the relay's own disconnect path).
  it('sends new requests to the target with fewer requests in flight', async () => {
    // Three streams (about 6 s: the steps below take a fraction of that even on a loaded
    // machine) held on lif-a, through a model whose only target it is.
    const pinned = [];
    for (let i = 0; i < 3; i++) pinned.push(await holdStream('lif-pin', 60));
    expect(pinned.map((p) => p.target)).toEqual(['lif-a', 'lif-a', 'lif-a']);
    await waitInFlight('lif-a', 3);

    // bal-lif's plans now put lif-b first: 0 in flight against 3.
    const quick: string[] = [];
    for (let i = 0; i < 5; i++) quick.push(await answeredBy('bal-lif'));
    expect(quick).toEqual(Array(5).fill('lif-b'));

    // Two longer streams (aborted after the test) through bal-lif land on lif-b too (0, then 1
    // in flight, against 3).
    const first = await holdStream('bal-lif', 600);
    await waitInFlight('lif-b', 1);
    const second = await holdStream('bal-lif', 600);
    await waitInFlight('lif-b', 2);
    expect([first.target, second.target]).toEqual(['lif-b', 'lif-b']);

    // The pinned streams end: their leases go, and lif-a (0 in flight) beats lif-b (2).
    await Promise.all(pinned.map((p) => p.finish()));
    await waitInFlight('lif-a', 0);
    expect(await inFlight('lif-b')).toBe(2);
    expect(await answeredBy('bal-lif')).toBe('lif-a');
  });
});

local.describe('usage-based', () => {
  // Fails if the relay stopped counting requests per target, if the plugin ignored rpm_limit (a
  // random order would rarely give b a b, x, not-x, b), or if a target at its limit were not moved
  // behind one under its limit.
  it('keeps each target within its rpm_limit, by utilisation, and moves a target at its limit behind', async () => {
    // use-a: rpm_limit 2, use-b: rpm_limit 3. Each plan takes the target this request would
    // leave least used, (rpm + 1) / limit, targets over a limit last:
    //   (a 0, b 0): a 1/2 vs b 1/3 → b;  (0, 1): 1/2 vs 2/3 → a;  (1, 1): 2/2 vs 2/3 → b;
    //   (1, 2): 2/2 vs 3/3 → a tie, broken at random → x;  then x is at its limit (over if it
    //   took one more), so the other one;  (2, 3): both at their limits, both over → the least
    //   over, b (4/3 < 3/2).
    const ids = [idOf('use-a'), idOf('use-b')];
    const seq: string[] = [];
    for (let i = 0; i < 6; i++) {
      seq.push(await answeredBy('bal-usage'));
      // The relay counts the request off the request path: wait until the next plan can see it.
      await waitFor(async () => {
        const u = await stats.usage(ids);
        return [...u.values()].reduce((sum, x) => sum + x.rpm, 0) === i + 1 ? true : undefined;
      });
    }
    expect(seq.slice(0, 3)).toEqual(['use-b', 'use-a', 'use-b']);
    expect(seq[4]).not.toBe(seq[3]);
    expect(countOf(seq.slice(0, 5))).toEqual({ 'use-a': 2, 'use-b': 3 });
    expect(seq[5]).toBe('use-b');
    const usage = await stats.usage(ids);
    expect(usage.get(ids[0])!.rpm).toBe(2);
    expect(usage.get(ids[1])!.rpm).toBe(4);
  });
});

local.describe('routing metrics', () => {
  // Fails if the relay stopped counting decisions, dropped the algorithm the plan carries (it
  // would read "none"), or labelled the planned target instead of the one that answered.
  it('counts each decision in aigw_relay_routing_decisions_total with the algorithm and the answering target', async () => {
    const before = await routingDecisions();
    const seq: string[] = [];
    for (let i = 0; i < 4; i++) seq.push(await answeredBy('bal-wrr'));
    expect(seq).toEqual(['wrr-a', 'wrr-b', 'wrr-a', 'wrr-a']);
    const session = 'metrics-session';
    const hashed = await answeredBy('bal-hash', { 'x-session-id': session });

    // The relay counts after the attempt; by the time the client has the answer it is done, but
    // poll briefly to stay independent of that ordering.
    const delta = (rows: typeof before, want: Record<string, string>) => decisionCount(rows, want) - decisionCount(before, want);
    const wrr = { model: 'bal-wrr', algorithm: 'weighted-round-robin', provider: 'openai', position: '0' };
    const after = await waitFor(async () => {
      const rows = await routingDecisions();
      return delta(rows, { model: 'bal-hash', algorithm: 'consistent-hash', target_model: hashed }) === 1 ? rows : undefined;
    });
    expect(delta(after, { ...wrr, target_model: 'wrr-a' })).toBe(3);
    expect(delta(after, { ...wrr, target_model: 'wrr-b' })).toBe(1);
    expect(delta(after, { model: 'bal-wrr' })).toBe(4);
    expect(delta(after, { model: 'bal-hash', algorithm: 'consistent-hash', provider: 'openai', target_model: hashed, position: '0' })).toBe(1);
  });
});
