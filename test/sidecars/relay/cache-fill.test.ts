import type { ChatCompletion, ChatCompletionChunk } from '../../../lib/openai-types';
import type { RoutePlan } from '../../../lib/plan';
import { decodeVector, encodeVector } from '../../../lib/semantic-cache/codec';
import { encodePendingFill, pendingFillDigest } from '../../../lib/semantic-cache/pending-fill';
import type { CacheEntry } from '../../../lib/semantic-cache/types';
import { type CacheWriter, cacheEntryFor, RelayCacheFill } from '../../../sidecars/relay/cache-fill';
import { CompletionAssembler } from '../../../sidecars/relay/completion-assembler';

/** What the cache plugin left in Redis for request r1's fill. */
const pendingBytes = encodePendingFill({ vector: new Float32Array([0.6, 0.8]), query: 'How do I rotate a key?' });
const fill = {
  scopeId: 's'.repeat(64),
  teamId: 't1',
  model: 'gpt-4o-mini',
  exactHash: 'e'.repeat(64),
  pendingDigest: pendingFillDigest(pendingBytes),
  embedModel: 'use-lite',
  ttlSeconds: 60,
  fillToolCalls: false,
};
const plan = { requestId: 'r1', cache: fill } as unknown as RoutePlan;
const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedTokens: 0, reasoningTokens: 0 };
const completion = (finish: string, message: Record<string, unknown> = { content: 'Use aigw keys rotate.' }): ChatCompletion =>
  ({
    id: 'c',
    object: 'chat.completion',
    created: 1,
    model: 'gpt-4o-mini',
    choices: [{ index: 0, message: { role: 'assistant', refusal: null, ...message }, logprobs: null, finish_reason: finish }],
  }) as ChatCompletion;

describe('what the relay stores', () => {
  test('a finished answer, under the plan scope and key, with its cost', () => {
    const entry = cacheEntryFor(plan, completion('stop'), usage, 123, 1000)!;
    expect(entry).toMatchObject({ scopeId: fill.scopeId, teamId: 't1', exactHash: fill.exactHash, ttlSeconds: 60, createdAt: 1000 });
    expect(entry.answer).toMatchObject({ promptTokens: 10, completionTokens: 5, costNano: 123 });
  });

  test.each([
    ['a length cut', completion('length'), usage],
    ['a content filter', completion('content_filter'), usage],
    ['a refusal', completion('stop', { content: null, refusal: 'I cannot' }), usage],
    [
      'tool calls on a route that does not store them',
      completion('tool_calls', { content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{}' } }] }),
      usage,
    ],
    ['estimated usage (a stream the provider did not finish properly)', completion('stop'), { ...usage, estimated: true }],
    ['no usage', completion('stop'), null],
  ])('never %s', (_name, answer, u) => {
    expect(cacheEntryFor(plan, answer, u, 1, 0)).toBeNull();
  });

  test('tool calls when the route allows them; nothing without a fill in the plan', () => {
    const calls = completion('tool_calls', { content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{}' } }] });
    expect(cacheEntryFor({ ...plan, cache: { ...fill, fillToolCalls: true } } as RoutePlan, calls, usage, 1, 0)).not.toBeNull();
    expect(cacheEntryFor({ requestId: 'r' } as RoutePlan, completion('stop'), usage, 1, 0)).toBeNull();
  });

  test('vectors survive the plan (base64 float32)', () => {
    const v = new Float32Array([0.1, -0.2, 0.3]);
    expect(Array.from(decodeVector(encodeVector(v)))).toEqual(Array.from(v));
  });
});

describe('a stream put back together', () => {
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): ChatCompletionChunk =>
    ({
      id: 'c1',
      object: 'chat.completion.chunk',
      created: 5,
      model: 'm',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    }) as ChatCompletionChunk;

  test('content, tool calls by index and the finish reason', () => {
    const a = new CompletionAssembler();
    a.push(chunk({ role: 'assistant', content: 'Hel' }));
    a.pushData(JSON.stringify(chunk({ content: 'lo' })));
    a.push(chunk({ tool_calls: [{ index: 1, id: 't2', function: { name: 'b', arguments: '{"y"' } }] }));
    a.push(chunk({ tool_calls: [{ index: 0, id: 't1', function: { name: 'a', arguments: '{}' } }] }));
    a.push(chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }));
    a.pushData('[DONE]');
    expect(a.completion()).toBeNull(); // not finished yet
    a.push(chunk({}, 'stop'));
    expect(a.completion()!.choices[0]!.message).toEqual({
      role: 'assistant',
      content: 'Hello',
      refusal: null,
      tool_calls: [
        { id: 't1', type: 'function', function: { name: 'a', arguments: '{}' } },
        { id: 't2', type: 'function', function: { name: 'b', arguments: '{"y":1}' } },
      ],
    });
  });

  test('signed thinking blocks are kept whole, as the non-streamed answer keeps them', () => {
    const a = new CompletionAssembler();
    a.push(chunk({ role: 'assistant', reasoning_content: 'Think.' }));
    a.push(chunk({ thinking_blocks: [{ type: 'thinking', thinking: 'Think.', signature: 'sig' }] }));
    a.push(chunk({ thinking_blocks: [{ type: 'redacted_thinking', data: 'xyz' }] }));
    a.push(chunk({ content: '42' }, 'stop'));
    expect(a.completion()!.choices[0]!.message).toEqual({
      role: 'assistant',
      content: '42',
      refusal: null,
      reasoning_content: 'Think.',
      thinking_blocks: [
        { type: 'thinking', thinking: 'Think.', signature: 'sig' },
        { type: 'redacted_thinking', data: 'xyz' },
      ],
    });
  });

  test('an answer past the bound is not kept', () => {
    const a = new CompletionAssembler();
    for (let i = 0; i < 1100; i++) a.push(chunk({ content: 'x'.repeat(1000) }));
    a.push(chunk({}, 'stop'));
    expect(a.completion()).toBeNull();
  });
});

describe('the fill, counted', () => {
  const log = { debug: () => undefined, info: () => undefined, warn: jest.fn(), error: () => undefined };
  const settle = () => new Promise((r) => setImmediate(r));

  test('stored, not cacheable, failed: each counted once per fill, a failure logged', async () => {
    const counts: string[] = [];
    const count = (model: string, result: string) => counts.push(`${model}:${result}`);
    const stored: unknown[] = [];
    const pending = { takePendingFill: async () => pendingBytes };
    new RelayCacheFill({ put: async (e) => void stored.push(e), ...pending }, log, count).fill(plan, completion('stop'), usage, 1);
    new RelayCacheFill({ put: async () => Promise.reject(new Error('redis down')), ...pending }, log, count).fill(plan, completion('stop'), usage, 1);
    new RelayCacheFill({ put: async (e) => void stored.push(e), ...pending }, log, count).fill(plan, completion('length'), usage, 1);
    await settle();
    expect(counts.sort()).toEqual(['gpt-4o-mini:failed', 'gpt-4o-mini:not_cacheable', 'gpt-4o-mini:stored']);
    expect(stored).toHaveLength(1);
    expect(log.warn).toHaveBeenCalledWith('cache fill failed', { requestId: 'r1', error: 'redis down' });
  });
});

describe("a semantic fill's vector, from Redis", () => {
  const log = { debug: () => undefined, info: () => undefined, warn: jest.fn(), error: () => undefined };
  const settle = () => new Promise((r) => setImmediate(r));

  /** A Redis of pending pairs by scope and request id, taken as read, and the entries stored. */
  function fakeRedis(pending: Record<string, Buffer>): CacheWriter & { stored: CacheEntry[]; taken: string[] } {
    const stored: CacheEntry[] = [];
    const taken: string[] = [];
    return {
      stored,
      taken,
      put: async (entry) => void stored.push(entry),
      takePendingFill: async (scopeId, requestId) => {
        const key = `${scopeId}/${requestId}`;
        taken.push(key);
        const bytes = pending[key] ?? null;
        delete pending[key];
        return bytes;
      },
    };
  }

  async function fillWith(redis: CacheWriter, p: RoutePlan): Promise<string[]> {
    const counts: string[] = [];
    new RelayCacheFill(redis, log, (_model, result) => counts.push(result)).fill(p, completion('stop'), usage, 1);
    await settle();
    await settle();
    return counts;
  }

  test('the pair this request left under its scope is stored with the answer, and taken (read once)', async () => {
    const redis = fakeRedis({ [`${fill.scopeId}/r1`]: pendingBytes });
    expect(await fillWith(redis, plan)).toEqual(['stored']);
    expect(redis.taken).toEqual([`${fill.scopeId}/r1`]);
    expect(redis.stored[0]).toMatchObject({ query: 'How do I rotate a key?', embedModel: 'use-lite', exactHash: fill.exactHash });
    expect(Array.from(redis.stored[0]!.vector!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(await fillWith(redis, plan)).toEqual(['vector_missing']); // taken: a replayed plan finds nothing
  });

  test('gone (expired, never written): the fill is skipped and counted, nothing stored', async () => {
    const redis = fakeRedis({});
    expect(await fillWith(redis, plan)).toEqual(['vector_missing']);
    expect(redis.stored).toEqual([]);
    expect(log.warn).toHaveBeenCalledWith("cache fill skipped: the miss's vector is not there", { requestId: 'r1', result: 'vector_missing' });
  });

  test("another request's pair is never used: not under this request's key, and not the digest this plan pins", async () => {
    const other = encodePendingFill({ vector: new Float32Array([0.8, 0.6]), query: 'How do I delete a key?' });
    // Another request's pair, under its own id: this request's key is empty.
    const elsewhere = fakeRedis({ [`${fill.scopeId}/r2`]: other });
    expect(await fillWith(elsewhere, plan)).toEqual(['vector_missing']);
    // Another pair under this request's key (written by anyone but this request's lookup): its digest does not match.
    const swapped = fakeRedis({ [`${fill.scopeId}/r1`]: other });
    expect(await fillWith(swapped, plan)).toEqual(['vector_mismatch']);
    expect([...elsewhere.stored, ...swapped.stored]).toEqual([]);
  });

  test('an exact-only fill reads nothing from Redis', async () => {
    const redis = fakeRedis({});
    expect(await fillWith(redis, { ...plan, cache: { ...fill, pendingDigest: null, embedModel: null } } as RoutePlan)).toEqual(['stored']);
    expect(redis.taken).toEqual([]);
    expect(redis.stored[0]).toMatchObject({ vector: null, query: '', embedModel: null });
  });
});
