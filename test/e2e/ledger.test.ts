/**
 * The spend ledger end to end: every request a key makes, streamed or not, cached or not,
 * failed or not, becomes exactly one aigw_spend_ledger row whose tokens are the usage the
 * client saw and whose cost is the cost the client was shown (x-gateway-cost on JSON answers,
 * usage.cost in the final chunk of streams), to the nano-USD; a request the provider failed
 * costs nothing and gives its reservation back.
 *
 * How it can fail: cached prompt tokens billed at the full input rate (the cached request is not
 * cheaper, and costNano of the usage differs), a stream whose usage.cost is computed differently
 * from its ledger row, rows lost or written twice by the batching writer, tokens of the wrong
 * request on a row, or a failed call that keeps (part of) its worst-case reservation.
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import OpenAI from 'openai';
import { BudgetLimiter, budgetSubject } from '../../lib/limits';
import { costNano } from '../../lib/pricing';
import { type MockScript, mockDirective } from '../harness/mock-provider';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { MINI_PRICE, rawChat, readUntil, sum, usdNumberToNano, usdStringToNano, waitForLedger } from './billing-helpers';

let stack: DevStack | undefined;
let redis: Redis | undefined;

beforeAll(async () => {
  stack = await startDevStack({ env: {} });
  redis = new Redis(stack.stores.redisUrl, { maxRetriesPerRequest: 1 });
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
}, 30_000);

/** A prompt long enough for the provider to report cached tokens. */
const LONG_CONTEXT = Array.from({ length: 60 }, (_, i) => `Line ${i}: the gateway bills cached prompt tokens at the cached rate.`).join('\n');

interface Seen {
  requestId: string;
  stream: boolean;
  promptTokens: number;
  completionTokens: number;
  cachedTokens: number;
  costNano: number;
}

function messages(script: MockScript): OpenAI.ChatCompletionMessageParam[] {
  return [
    { role: 'system', content: LONG_CONTEXT },
    { role: 'user', content: `Summarise. ${mockDirective(script)}` },
  ];
}

async function nonStreamed(client: OpenAI, script: MockScript): Promise<Seen> {
  const { data, response } = await client.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 200, messages: messages(script) }).withResponse();
  const cost = response.headers.get('x-gateway-cost');
  expect(cost).toMatch(/^\d+(\.\d{1,9})?$/);
  return {
    requestId: response.headers.get('x-kong-request-id')!,
    stream: false,
    promptTokens: data.usage!.prompt_tokens,
    completionTokens: data.usage!.completion_tokens,
    cachedTokens: data.usage!.prompt_tokens_details?.cached_tokens ?? 0,
    costNano: usdStringToNano(cost!),
  };
}

async function streamed(client: OpenAI, script: MockScript): Promise<Seen> {
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'gpt-4o-mini', max_tokens: 200, stream: true, stream_options: { include_usage: true }, messages: messages(script) })
    .withResponse();
  let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined;
  for await (const chunk of stream) if (chunk.usage) usage = chunk.usage as OpenAI.CompletionUsage & { cost?: number };
  expect(usage).toBeDefined();
  expect(typeof usage!.cost).toBe('number');
  return {
    requestId: response.headers.get('x-kong-request-id')!,
    stream: true,
    promptTokens: usage!.prompt_tokens,
    completionTokens: usage!.completion_tokens,
    cachedTokens: usage!.prompt_tokens_details?.cached_tokens ?? 0,
    costNano: usdNumberToNano(usage!.cost!),
  };
}

describe('spend ledger', () => {
  it('records every request with the tokens and cost the client saw, cached tokens at the cached rate', async () => {
    const created = await stack!.admin('POST', '/admin/keys', { key_alias: `ledger-${randomBytes(4).toString('hex')}`, max_budget: 5 });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    const client = new OpenAI({ baseURL: `${stack!.url}/v1`, apiKey: created.body.key as string, maxRetries: 0 });

    const cached = 256;
    const seen: Seen[] = [];
    // Sequential on purpose: pairs compare like with like, and order does not matter to the ledger.
    seen.push(await nonStreamed(client, { tokens: 20 }));
    seen.push(await nonStreamed(client, { tokens: 20, cachedTokens: cached }));
    seen.push(await streamed(client, { tokens: 20 }));
    seen.push(await streamed(client, { tokens: 20, cachedTokens: cached }));
    seen.push(await nonStreamed(client, { tokens: 5 }));
    seen.push(await streamed(client, { tokens: 33, cachedTokens: 64 }));
    // Concurrent ones too: the batching writer must keep each row with its own request.
    seen.push(...(await Promise.all([1, 2, 3, 4].map((i) => (i % 2 ? nonStreamed : streamed)(client, { tokens: 7 * i, cachedTokens: i * 32 })))));

    // The mock strips its directive before counting: every request has the same prompt size.
    expect(new Set(seen.map((s) => s.promptTokens)).size).toBe(1);
    expect(seen[1].cachedTokens).toBe(cached);
    expect(seen[3].cachedTokens).toBe(cached);
    // Each cost is the catalogue price of the usage the client saw, cached tokens at the cached rate...
    for (const s of seen) {
      expect(s.costNano).toBe(costNano({ promptTokens: s.promptTokens, completionTokens: s.completionTokens, cachedTokens: s.cachedTokens }, MINI_PRICE));
    }
    // ...so the cached twin of a request is cheaper, by exactly the rate difference on the cached tokens.
    const rateGap = (MINI_PRICE.input - MINI_PRICE.cached_read!) * 1000;
    expect(seen[1].costNano).toBeLessThan(seen[0].costNano);
    expect(seen[0].costNano - seen[1].costNano).toBe(Math.round(cached * rateGap));
    expect(seen[3].costNano).toBeLessThan(seen[2].costNano);
    expect(seen[2].costNano).toBe(seen[0].costNano); // streamed and not: the same bill

    const rows = await waitForLedger(stack!.stores.databaseUrl, { keyIds: [keyId] }, seen.length);
    expect(rows).toHaveLength(seen.length);
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    for (const s of seen) {
      const row = byId.get(s.requestId);
      expect(row).toBeDefined();
      expect(row).toMatchObject({
        key_id: keyId,
        prompt_tokens: s.promptTokens,
        completion_tokens: s.completionTokens,
        cached_tokens: s.cachedTokens,
        cost_nano: s.costNano,
        stream: s.stream,
        status: 200,
        outcome: 'ok',
      });
    }
    const total = sum(seen.map((s) => s.costNano));
    expect(sum(rows.map((r) => r.cost_nano!))).toBe(total);

    const info = await stack!.admin('GET', `/admin/keys/${keyId}`);
    expect(info.body).toMatchObject({ spend_nano: total, requests: seen.length, remaining_budget_nano: 5e9 - total });
  }, 30_000);

  it('a request the provider failed costs 0 and its reservation is refunded', async () => {
    const created = await stack!.admin('POST', '/admin/keys', { key_alias: `ledger-fail-${randomBytes(4).toString('hex')}`, max_budget: 1 });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    const key = created.body.key as string;
    const subject = budgetSubject('key', keyId, {
      maxBudgetNano: created.body.max_budget_nano as number,
      budgetDuration: null,
      budgetAnchor: created.body.budget_anchor as string,
    })!;
    const limiter = new BudgetLimiter(redis!);

    // One good request first, so the Redis counter exists and has a known spend.
    const good = await rawChat(stack!.url, key, {
      model: 'gpt-4o-mini',
      max_tokens: 50,
      messages: [{ role: 'user', content: `ok ${mockDirective({ tokens: 4 })}` }],
    });
    expect(good.status).toBe(200);
    const goodCost = usdStringToNano(good.headers.get('x-gateway-cost')!);
    const before = await limiter.status(subject, null);
    expect(before).toMatchObject({ initialised: true, spentNano: goodCost, reservedNano: 0 });

    stack!.mock.reset();
    const failed = await rawChat(stack!.url, key, {
      model: 'gpt-4o-mini',
      max_tokens: 1000,
      messages: [{ role: 'user', content: `fail ${mockDirective({ status: 500 })}` }],
    });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({ code: 'upstream_error' });
    // It reached the provider, which failed every time: the first attempt and the relay's 2 retries.
    expect(stack!.mock.requests).toHaveLength(3);
    expect(failed.headers.get('x-gateway-cost')).toBe('0');

    // Nothing spent, nothing left reserved (the worst case of 1000 output tokens was given back).
    const after = await limiter.status(subject, null);
    expect(after).toMatchObject({ spentNano: before.spentNano, reservedNano: 0, remainingNano: before.remainingNano });

    const rows = await waitForLedger(stack!.stores.databaseUrl, { keyIds: [keyId] }, 2);
    expect(rows).toHaveLength(2);
    const failedRow = rows.find((r) => r.request_id === failed.headers.get('x-kong-request-id'));
    expect(failedRow).toMatchObject({ cost_nano: 0, outcome: 'upstream_error', prompt_tokens: 0, completion_tokens: 0 });
    const info = await stack!.admin('GET', `/admin/keys/${keyId}`);
    expect(info.body).toMatchObject({ spend_nano: goodCost, requests: 2, remaining_budget_nano: 1e9 - goodCost });
  }, 30_000);

  it('a stream cut by the provider or abandoned by the client is billed for what it delivered, counted and marked estimated', async () => {
    // No budget: nothing is reserved, so nothing but the delivered text can be billed.
    const created = await stack!.admin('POST', '/admin/keys', { key_alias: `ledger-cut-${randomBytes(4).toString('hex')}` });
    expect(created.status).toBe(201);
    const keyId = created.body.id as string;
    const key = created.body.key as string;
    const post = (script: MockScript, signal?: AbortSignal): Promise<Response> =>
      fetch(`${stack!.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({
          model: 'gpt-4o-mini',
          stream: true,
          max_tokens: 200,
          messages: [{ role: 'user', content: `Tell me. ${mockDirective(script)}` }],
        }),
        signal,
      });

    // 1. The provider cuts the stream after 50 tokens, without a usage chunk.
    const cut = await post({ tokens: 60, cutAfterTokens: 50 });
    expect(cut.status).toBe(200);
    const cutText = await cut.text();
    expect(cutText).toContain('upstream_stream_interrupted');

    // 2. The client reads part of the answer, then goes away.
    const abort = new AbortController();
    const left = await post({ tokens: 60, tokensPerSecond: 40 }, abort.signal);
    const contentChunks = (text: string): number => (text.match(/"content":"[^"]/g) ?? []).length;
    const received = await readUntil(left, (text) => contentChunks(text) >= 20);
    abort.abort();
    const deliveredChunks = contentChunks(received);

    const rows = await waitForLedger(stack!.stores.databaseUrl, { keyIds: [keyId] }, 2);
    expect(rows).toHaveLength(2);
    const byOutcome = Object.fromEntries(rows.map((r) => [r.outcome, r]));
    const interrupted = byOutcome.stream_interrupted;
    const aborted = byOutcome.client_aborted;
    expect(interrupted).toMatchObject({ usage_estimated: true, stream: true });
    expect(aborted).toMatchObject({ usage_estimated: true, stream: true });
    // 50 mock tokens were delivered before the cut (plain words: at least one token each).
    expect(interrupted.completion_tokens).toBeGreaterThanOrEqual(50);
    expect(interrupted.completion_tokens).toBeLessThan(100);
    // What the client got, and no more than the provider sent.
    expect(aborted.completion_tokens).toBeGreaterThanOrEqual(deliveredChunks);
    expect(aborted.completion_tokens).toBeLessThan(120);
    for (const row of [interrupted, aborted]) {
      expect(row.prompt_tokens).toBeGreaterThan(0);
      expect(row.cost_nano).toBe(costNano({ promptTokens: row.prompt_tokens, completionTokens: row.completion_tokens, cachedTokens: 0 }, MINI_PRICE));
    }
  }, 30_000);
});
