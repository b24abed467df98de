/**
 * Budgets across a cluster: two gateway nodes (each its own Kong test ingress, plugin servers,
 * relay and control API) share one Redis and one PostgreSQL. A budget that covers exactly 50
 * worst-case requests admits exactly 50 of 200 concurrent requests, whichever node they hit;
 * the 150 others are refused with 429 budget_exceeded before any upstream call, and what is
 * billed (x-gateway-cost), what is recorded (aigw_spend_ledger) and what the control API shows
 * agree to the nano-USD and never exceed the budget. Against a remote gateway both nodes are
 * that one gateway: the same promises on one node.
 *
 * How it can fail: a reservation that is not atomic across nodes (e.g. read-then-write instead
 * of one Lua script, or per-node counters) admits more than 50; reserving the actual instead of
 * the worst case (or max_tokens ignored) admits more than 50 while the first 50 are in flight;
 * a refusal after the upstream call shows up in the mock's request count; a relay that loses or
 * duplicates ledger rows, or rounds differently in the header and the ledger, breaks the sums.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { BudgetLimiter, budgetSubject } from '../../lib/limits';
import { costNano } from '../../lib/pricing';
import { promptShape, promptTokenBound } from '../../lib/tokens';
import { type MockProviders, mockDirective } from '../harness/mock-provider';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import {
  type ChatResult,
  errorCode,
  MINI_PRICE,
  rawChat,
  readUntil,
  sum,
  usdNumberToNano,
  usdStringToNano,
  waitForLedger,
  worstCaseFor,
} from './billing-helpers';

let stores: SharedStores | undefined;
let a: DevStack | undefined;
let b: DevStack | undefined;

beforeAll(async () => {
  stores = await startSharedStores();
  // No provider keys: every model is answered by each node's own mock.
  a = await startDevStack({ env: {}, stores });
  b = await startDevStack({ env: {}, stores });
}, 90_000);

afterAll(async () => {
  // Each step on its own, so a failure in one never leaves the others running.
  await b?.close().catch(() => undefined);
  await a?.close().catch(() => undefined);
  await stores?.stop().catch(() => undefined);
}, 60_000);

const nodes = (): DevStack[] => [a!, b!];
/** Each node's mock once: against a remote gateway both nodes are that gateway, with its one mock. */
const mocks = (): MockProviders[] => [...new Set(nodes().map((n) => n.mock))];

/** The mock holds every answer this long before its first byte: all 200 reservations happen while the first 50 are in flight. */
const TTFT_MS = 2500;
const MAX_TOKENS = 100;
const ANSWER_TOKENS = 7;
const ADMITTED = 50;
const TOTAL = 200;

/** The exact body every request sends; the worst case is computed from it as aigw-proxy does. */
function budgetBody(): Record<string, unknown> {
  return {
    model: 'gpt-4o-mini',
    max_tokens: MAX_TOKENS,
    messages: [{ role: 'user', content: `Count to three. ${mockDirective({ tokens: ANSWER_TOKENS, ttftMs: TTFT_MS })}` }],
  };
}

interface Outcome {
  results: ChatResult[];
  ok: ChatResult[];
  refused: ChatResult[];
  /** Upper bound of settlements that may have freed budget before the last refusal was decided. */
  possiblyEarlySettles: number;
}

async function fire(calls: Array<{ node: DevStack; key: string }>): Promise<Outcome> {
  for (const mock of mocks()) mock.reset();
  const body = budgetBody();
  const results = await Promise.all(calls.map(({ node, key }) => rawChat(node.url, key, body)));
  const ok = results.filter((r) => r.status === 200);
  const refused = results.filter((r) => r.status !== 200);
  const lastRefusal = Math.max(0, ...refused.map((r) => r.at));
  // A settlement cannot happen before its upstream call got its first byte (receivedAt + ttft).
  const received = mocks().flatMap((m) => m.requests.map((r) => r.receivedAt));
  const possiblyEarlySettles = received.filter((t) => t + TTFT_MS <= lastRefusal).length;
  return { results, ok, refused, possiblyEarlySettles };
}

function expectBudgetOutcome(outcome: Outcome): void {
  const { ok, refused, possiblyEarlySettles } = outcome;
  // The whole picture first, so a failure shows what came back instead of one count.
  const histogram: Record<string, number> = {};
  for (const r of outcome.results) {
    const label = r.status === 200 ? '200' : `${r.status} ${errorCode(r) ?? JSON.stringify(r.body).slice(0, 200)}`;
    histogram[label] = (histogram[label] ?? 0) + 1;
  }
  if (possiblyEarlySettles === 0) expect(histogram).toEqual({ '200': ADMITTED, '429 budget_exceeded': TOTAL - ADMITTED });
  // Exactly ADMITTED when nothing settled before the last reservation (the mock is slow on
  // purpose); if the machine was so slow that some did, each early settlement can free at most
  // one worst case for one more request.
  if (possiblyEarlySettles === 0) expect(ok).toHaveLength(ADMITTED);
  else expect(ok.length).toBeLessThanOrEqual(ADMITTED + possiblyEarlySettles);
  expect(ok.length).toBeGreaterThanOrEqual(ADMITTED);
  expect(refused).toHaveLength(TOTAL - ok.length);
  for (const r of refused) {
    expect({ status: r.status, code: errorCode(r), type: (r.body.error as { type?: string }).type }).toEqual({
      status: 429,
      code: 'budget_exceeded',
      type: expect.any(String),
    });
    expect(typeof (r.body.error as { message?: string }).message).toBe('string');
  }
  // Refused requests never reached a provider: the mocks saw only the admitted ones.
  const upstreamCalls = sum(mocks().map((m) => m.requests.length));
  expect(upstreamCalls).toBe(ok.length);
  for (const r of ok) {
    expect(r.headers.get('x-gateway-cost')).toMatch(/^\d+(\.\d{1,9})?$/);
    expect((r.body.usage as { completion_tokens: number }).completion_tokens).toBe(ANSWER_TOKENS);
  }
}

describe('budgets shared by two gateway nodes', () => {
  const body = budgetBody();
  const worst = worstCaseFor(body);
  const budgetNano = ADMITTED * worst;

  it('uses integer worst-case arithmetic the budget can hold exactly', () => {
    // 150 nano per prompt token, 600 per output token: integers, so 50 worst cases are exact.
    expect(MINI_PRICE).toMatchObject({ input: 0.15, output: 0.6 });
    const promptBound = promptTokenBound(promptShape(body, 'chat.completions'), { provider: 'openai', contextWindow: MINI_PRICE.context_window });
    expect(worst).toBe(150 * promptBound + 600 * MAX_TOKENS);
    expect(Number.isSafeInteger(budgetNano)).toBe(true);
  });

  it('a key budget of exactly 50 worst cases admits exactly 50 of 200 concurrent requests across both nodes', async () => {
    const created = await a!.admin('POST', '/admin/keys', { key_alias: `budget-${randomBytes(4).toString('hex')}`, max_budget: budgetNano / 1e9 });
    expect(created.status).toBe(201);
    expect(created.body.max_budget_nano).toBe(budgetNano);
    const keyId = created.body.id as string;
    const key = created.body.key as string;

    const started = Date.now();
    const calls = Array.from({ length: TOTAL }, (_, i) => ({ node: nodes()[i % 2], key }));
    const outcome = await fire(calls);
    const elapsed = Date.now() - started;
    expectBudgetOutcome(outcome);
    // Both nodes admitted some (the counter is shared, not per node) - informative, not required.
    const perNode = mocks().map((m) => m.requests.length);

    const headerSum = sum(outcome.ok.map((r) => usdStringToNano(r.headers.get('x-gateway-cost')!)));
    const rows = await waitForLedger(stores!.databaseUrl, { keyIds: [keyId] }, outcome.ok.length);
    expect(rows).toHaveLength(outcome.ok.length);
    expect(rows.every((r) => r.cost_nano !== null && r.cost_nano > 0 && r.outcome === 'ok')).toBe(true);
    const ledgerSum = sum(rows.map((r) => r.cost_nano!));
    expect(ledgerSum).toBe(headerSum);
    expect(ledgerSum).toBeLessThanOrEqual(budgetNano);
    // The short answers cost far less than the worst case that was reserved for them.
    expect(ledgerSum).toBeLessThan(budgetNano / 2);

    const info = await b!.admin('GET', `/admin/keys/${keyId}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({
      spend_nano: ledgerSum,
      window_spend_nano: ledgerSum,
      requests: outcome.ok.length,
      max_budget_nano: budgetNano,
      remaining_budget_nano: budgetNano - ledgerSum,
    });
    console.log(
      `key budget: ${outcome.ok.length} admitted (${perNode.join('+')} per node), ${outcome.refused.length} refused, ` +
        `spent ${ledgerSum} of ${budgetNano} nano, worst case ${worst} nano, early settles ${outcome.possiblyEarlySettles}, ${elapsed} ms`,
    );
  }, 30_000);

  it('a team budget of exactly 50 worst cases is shared by 4 keys across both nodes', async () => {
    const team = await a!.admin('POST', '/admin/teams', { name: `budget-team-${randomBytes(4).toString('hex')}`, max_budget: budgetNano / 1e9 });
    expect(team.status).toBe(201);
    expect(team.body.max_budget_nano).toBe(budgetNano);
    const teamId = team.body.id as string;
    const keys: Array<{ id: string; key: string }> = [];
    for (let i = 0; i < 4; i++) {
      // Keys without budgets of their own: only the team's counter limits them.
      const created = await (i % 2 ? b! : a!).admin('POST', '/admin/keys', { team: teamId, key_alias: `team-key-${i}-${randomBytes(3).toString('hex')}` });
      expect(created.status).toBe(201);
      expect(created.body.max_budget_nano).toBeNull();
      keys.push({ id: created.body.id as string, key: created.body.key as string });
    }

    // Request i: key i % 4, node (i >> 2) % 2, so every key is used on both nodes.
    const calls = Array.from({ length: TOTAL }, (_, i) => ({ node: nodes()[(i >> 2) % 2], key: keys[i % 4].key }));
    const outcome = await fire(calls);
    expectBudgetOutcome(outcome);

    const headerSum = sum(outcome.ok.map((r) => usdStringToNano(r.headers.get('x-gateway-cost')!)));
    const rows = await waitForLedger(stores!.databaseUrl, { teamId }, outcome.ok.length);
    expect(rows).toHaveLength(outcome.ok.length);
    const ledgerSum = sum(rows.map((r) => r.cost_nano!));
    expect(ledgerSum).toBe(headerSum);
    expect(ledgerSum).toBeLessThanOrEqual(budgetNano);
    expect(new Set(rows.map((r) => r.key_id)).size).toBeGreaterThan(1);

    const info = await b!.admin('GET', `/admin/teams/${teamId}`);
    expect(info.status).toBe(200);
    expect(info.body).toMatchObject({ spend_nano: ledgerSum, requests: outcome.ok.length, remaining_budget_nano: budgetNano - ledgerSum });
    // Per key, the control API's spend is that key's ledger rows.
    for (const { id } of keys) {
      const keyInfo = await a!.admin('GET', `/admin/keys/${id}`);
      expect(keyInfo.body.spend_nano).toBe(sum(rows.filter((r) => r.key_id === id).map((r) => r.cost_nano!)));
    }
    console.log(
      `team budget: ${outcome.ok.length} admitted, ${outcome.refused.length} refused, spent ${ledgerSum} of ${budgetNano} nano, early settles ${outcome.possiblyEarlySettles}`,
    );
  }, 30_000);
});

/**
 * The same promise under hostile traffic: 200 concurrent requests over both nodes against one
 * small key budget, each as expensive as it can be made — prompts a provider counts far above
 * o200k (2,000 "!" are 2,006 tokens at the mock), n = 4 choices, streams, streams the client
 * abandons and streams the provider cuts, every answer as long as its max_tokens. Spend never
 * passes the budget; the ledger, the costs the clients were shown and the Redis counter agree to
 * the nano-USD.
 *
 * How it can fail: a prompt estimate that is not an upper bound or a reservation that ignores n
 * (admitted requests cost more than they reserved: spend passes the budget), a cut or aborted
 * stream billed nothing or the whole reservation (rows disagree with their tokens), a settle that
 * charges differently from what the client was shown.
 */
describe('a budget under adversarial requests', () => {
  type Kind = 'bang' | 'choices' | 'stream' | 'abort' | 'cut';
  const KINDS: Kind[] = ['bang', 'choices', 'stream', 'abort', 'cut'];
  const OUT = 40;
  const slow = { ttftMs: 1500, tokens: OUT };

  function bodyFor(kind: Kind, i: number): Record<string, unknown> {
    const base = { model: 'gpt-4o-mini', max_tokens: OUT };
    const ask = (script: Record<string, unknown>, prefix = `Request ${i}.`) => [{ role: 'user', content: `${prefix} ${mockDirective(script)}` }];
    switch (kind) {
      case 'bang':
        return { ...base, messages: ask(slow, '!'.repeat(2000)) };
      case 'choices':
        return { ...base, n: 4, messages: ask(slow) };
      case 'stream':
        return { ...base, stream: true, stream_options: { include_usage: true }, messages: ask(slow) };
      case 'abort':
        return { ...base, stream: true, messages: ask({ ...slow, tokensPerSecond: 20 }) };
      case 'cut':
        return { ...base, stream: true, messages: ask({ ...slow, cutAfterTokens: OUT / 2 }) };
    }
  }

  interface Seen {
    kind: Kind;
    status: number;
    code?: string;
    requestId: string | null;
    /** The cost the client was shown (x-gateway-cost, or usage.cost in the stream), nano-USD. */
    shownNano: number | null;
  }

  async function send(node: DevStack, key: string, kind: Kind, i: number): Promise<Seen> {
    const abort = new AbortController();
    const res = await fetch(`${node.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(bodyFor(kind, i)),
      signal: abort.signal,
    });
    const requestId = res.headers.get('x-kong-request-id');
    if (res.status !== 200) {
      const body = (await res.json()) as { error?: { code?: string } };
      return { kind, status: res.status, code: body.error?.code, requestId, shownNano: null };
    }
    if (kind === 'abort') {
      await readUntil(res, (text) => /"content":"[^"]/.test(text));
      abort.abort();
      return { kind, status: 200, requestId, shownNano: null };
    }
    const text = await res.text();
    if (kind === 'bang' || kind === 'choices') return { kind, status: 200, requestId, shownNano: usdStringToNano(res.headers.get('x-gateway-cost')!) };
    const usage = text
      .split('\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)) as { usage?: { cost?: number } })
      .find((chunk) => chunk.usage?.cost !== undefined)?.usage;
    return { kind, status: 200, requestId, shownNano: usage ? usdNumberToNano(usage.cost!) : null };
  }

  it('never spends past the budget, and ledger, shown costs and the counter agree', async () => {
    const budgetNano = 5_000_000;
    const created = await a!.admin('POST', '/admin/keys', { key_alias: `adversarial-${randomBytes(4).toString('hex')}`, max_budget: budgetNano / 1e9 });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    const key = created.body.key as string;

    const seen = await Promise.all(Array.from({ length: TOTAL }, (_, i) => send(nodes()[i % 2], key, KINDS[i % KINDS.length], i)));
    const admitted = seen.filter((s) => s.status === 200);
    const refused = seen.filter((s) => s.status !== 200);
    expect(refused.every((s) => s.status === 429 && s.code === 'budget_exceeded')).toBe(true);
    // Both outcomes happen, or the test proves nothing.
    expect(admitted.length).toBeGreaterThanOrEqual(5);
    expect(refused.length).toBeGreaterThanOrEqual(50);

    const rows = await waitForLedger(stores!.databaseUrl, { keyIds: [keyId] }, admitted.length);
    expect(rows).toHaveLength(admitted.length);
    const spent = sum(rows.map((r) => r.cost_nano!));
    expect(spent).toBeLessThanOrEqual(budgetNano);

    // Every row is its own tokens at the model's price; what a client was shown is its row.
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    for (const s of admitted) {
      const row = byId.get(s.requestId!)!;
      expect(row.cost_nano).toBe(
        costNano({ promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, cachedTokens: row.cached_tokens }, MINI_PRICE),
      );
      if (s.shownNano !== null) expect({ kind: s.kind, cost: row.cost_nano }).toEqual({ kind: s.kind, cost: s.shownNano });
      if (s.kind === 'abort' || s.kind === 'cut') expect(row).toMatchObject({ usage_estimated: true });
    }
    const shown = sum(admitted.filter((s) => s.shownNano !== null).map((s) => s.shownNano!));
    const unseen = sum(admitted.filter((s) => s.shownNano === null).map((s) => byId.get(s.requestId!)!.cost_nano!));
    expect(shown + unseen).toBe(spent);

    // The shared counter holds exactly the ledger's spend, nothing left reserved.
    const subject = budgetSubject('key', keyId, { maxBudgetNano: budgetNano, budgetDuration: null, budgetAnchor: created.body.budget_anchor as string })!;
    const redis = new Redis(stores!.redisUrl);
    const status = await new BudgetLimiter(redis).status(subject, null).finally(() => redis.disconnect());
    expect({ spent: status.spentNano, reserved: status.reservedNano }).toEqual({ spent, reserved: 0 });
    const kinds = Object.fromEntries(KINDS.map((k) => [k, admitted.filter((s) => s.kind === k).length]));
    console.log(`adversarial budget: ${admitted.length} admitted ${JSON.stringify(kinds)}, ${refused.length} refused, spent ${spent} of ${budgetNano} nano`);
  }, 60_000);
});
