/**
 * Rate limits end to end on one gateway node: aigw-virtual-key checks requests per minute,
 * tokens per minute and parallel requests in Redis before anything else runs, answers 429 in
 * OpenAI's shape with OpenAI's x-ratelimit-* headers and Retry-After, and never lets a refused
 * request reach the provider.
 *
 * How it can fail: an off-by-one in the sliding window (6 pass), headers not copied onto the
 * proxied response (the remaining counts are missing), the relay not correcting the token window
 * to the actual usage (the tpm numbers below are exact), team limits applied per key (5 pass),
 * or a parallel slot that is only released when its lease expires instead of in the log phase
 * (the second pair of parallel requests is refused).
 */
import Redis from 'ioredis';
import { ParallelLimiter } from '../../lib/limits';
import { estimatePromptTokens } from '../../lib/tokens';
import { mockDirective } from '../harness/mock-provider';
import { SHORT_LEASE_SECONDS, withShortParallelLeases } from '../harness/stack/e2e-deck';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { type ChatResult, errorCode, rawChat } from './billing-helpers';
import { uniqueName } from './helpers';

let stack: DevStack | undefined;
let redis: Redis | undefined;

/** The lease withShortParallelLeases sets (the shortest the schema allows), so the test below can outlive one. */
const LEASE_SECONDS = SHORT_LEASE_SECONDS;

beforeAll(async () => {
  stack = await startDevStack({ env: {}, deckTransform: withShortParallelLeases });
  redis = new Redis(stack.stores.redisUrl);
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
}, 30_000);

beforeEach(() => stack!.mock.reset());

/** Key ids by secret, for looking at a key's parallel slots. */
const keyIds = new Map<string, string>();

async function createKey(fields: Record<string, unknown>): Promise<string> {
  const created = await stack!.admin('POST', '/admin/keys', { key_alias: uniqueName('rl'), ...fields });
  expect(created.status).toBe(201);
  keyIds.set(created.body.key as string, created.body.id as string);
  return created.body.key as string;
}

/**
 * Resolves once none of the key's parallel slots is held. The relay frees a slot just after the
 * answer's last byte and the log phase again, so a client can have its answer a moment before
 * the slot is free: waiting for that event, not for a time, keeps the next request's outcome certain.
 */
async function slotsFreed(key: string): Promise<void> {
  const subject = { kind: 'key' as const, id: keyIds.get(key)! };
  await waitFor(async () => ((await new ParallelLimiter(redis!).active(subject)) === 0 ? true : undefined), 5000);
}

function body(text: string, script: Parameters<typeof mockDirective>[0] = { tokens: 3 }): Record<string, unknown> {
  return { model: 'gpt-4o-mini', max_tokens: 64, messages: [{ role: 'user', content: `${text} ${mockDirective(script)}` }] };
}

function expectRefused(r: ChatResult, code: string): void {
  expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 429, code });
  expect(r.body.error).toMatchObject({ type: expect.any(String), message: expect.any(String) });
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('rate limits through Kong and aigw-virtual-key', () => {
  it('rpm: 5 requests pass with counting-down headers, the 6th gets 429 with Retry-After', async () => {
    const key = await createKey({ rpm_limit: 5 });
    const results: ChatResult[] = [];
    for (let i = 0; i < 6; i++) results.push(await rawChat(stack!.url, key, body(`rpm ${i}`)));

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    for (const [i, r] of results.slice(0, 5).entries()) {
      expect(r.headers.get('x-ratelimit-limit-requests')).toBe('5');
      expect(r.headers.get('x-ratelimit-remaining-requests')).toBe(String(4 - i));
      expect(r.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+(\.\d+)?(ms|s)$|^\d+m[\d.]+s$/);
    }
    const refused = results[5];
    expectRefused(refused, 'rate_limit_exceeded');
    expect(refused.headers.get('x-ratelimit-limit-requests')).toBe('5');
    expect(refused.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(refused.headers.get('x-ratelimit-reset-requests')).toBeTruthy();
    // A 1-minute window: the oldest request leaves it within 60 s.
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(stack!.mock.requests).toHaveLength(5);
  });

  it('tpm: the window counts actual usage, and the request that would pass the limit gets 429', async () => {
    const completion = 40;
    const request = body('tokens per minute', { tokens: completion });
    const estimate = estimatePromptTokens(request);
    // What one request really uses (the relay corrects the window to this after the answer).
    const probe = await rawChat(stack!.url, await createKey({}), request);
    expect(probe.status).toBe(200);
    const actual = (probe.body.usage as { total_tokens: number }).total_tokens;
    expect(actual).toBeGreaterThan(estimate); // the answer is longer than the prompt estimate
    // Two requests fit (actual + estimate ≤ tpm), a third does not (2 × actual + estimate > tpm).
    const tpm = 2 * actual + estimate - 1;
    const key = await createKey({ tpm_limit: tpm });
    stack!.mock.reset();

    const first = await rawChat(stack!.url, key, request);
    const second = await rawChat(stack!.url, key, request);
    const third = await rawChat(stack!.url, key, request);
    expect([first.status, second.status, third.status]).toEqual([200, 200, 429]);
    expect(first.headers.get('x-ratelimit-limit-tokens')).toBe(String(tpm));
    // At admission: the estimate of this request counted, nothing before it.
    expect(first.headers.get('x-ratelimit-remaining-tokens')).toBe(String(tpm - estimate));
    // The first request's estimate was replaced by its actual usage before the second was admitted.
    expect(second.headers.get('x-ratelimit-remaining-tokens')).toBe(String(tpm - actual - estimate));
    expect(first.headers.get('x-ratelimit-reset-tokens')).toBeTruthy();
    expectRefused(third, 'rate_limit_exceeded');
    expect(third.headers.get('x-ratelimit-limit-tokens')).toBe(String(tpm));
    expect(Number(third.headers.get('x-ratelimit-remaining-tokens'))).toBe(tpm - 2 * actual);
    expect(stack!.mock.requests).toHaveLength(2);
  });

  it('team rpm is shared by the keys of the team', async () => {
    const team = await stack!.admin('POST', '/admin/teams', { name: uniqueName('rl-team'), rpm_limit: 4 });
    expect(team.status).toBe(201);
    const k1 = await createKey({ team: team.body.id });
    const k2 = await createKey({ team: team.body.id });
    const statuses: number[] = [];
    let refused: ChatResult | undefined;
    for (const key of [k1, k2, k1, k2, k1, k2]) {
      const r = await rawChat(stack!.url, key, body('team rpm'));
      statuses.push(r.status);
      if (r.status !== 200) refused ??= r;
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    expectRefused(refused!, 'rate_limit_exceeded');
    expect(refused!.headers.get('x-ratelimit-limit-requests')).toBe('4');
    expect((refused!.body.error as { message: string }).message).toMatch(/team/);
    expect(stack!.mock.requests).toHaveLength(4);
    // A key outside the team is not affected.
    expect((await rawChat(stack!.url, await createKey({}), body('outsider'))).status).toBe(200);
  });

  it('max parallel requests: 2 of 4 concurrent slow requests pass, and the slots are freed when they finish', async () => {
    const key = await createKey({ max_parallel_requests: 2 });
    // Slow enough that all four are admitted or refused while the first two still run.
    const slow = body('parallel', { tokens: 3, ttftMs: 3000 });
    const burst = await Promise.all(Array.from({ length: 4 }, () => rawChat(stack!.url, key, slow)));
    const ok = burst.filter((r) => r.status === 200);
    const refused = burst.filter((r) => r.status !== 200);
    expect(ok).toHaveLength(2);
    expect(refused).toHaveLength(2);
    for (const r of refused) expectRefused(r, 'parallel_limit_exceeded');
    // Refused at once, not after waiting for a slot: before either admitted request had its answer.
    expect(Math.max(...refused.map((r) => r.at))).toBeLessThan(Math.min(...ok.map((r) => r.at)));
    expect(stack!.mock.requests).toHaveLength(2);

    // The leases last far longer than this test (parallel_lease_seconds): only the release at the
    // end of each answer can make room this soon.
    await slotsFreed(key);
    const again = await Promise.all(Array.from({ length: 2 }, () => rawChat(stack!.url, key, body('parallel again', { tokens: 3, ttftMs: 300 }))));
    expect(again.map((r) => r.status)).toEqual([200, 200]);
    await slotsFreed(key);
    const after = await rawChat(stack!.url, key, body('one more'));
    expect(after.status).toBe(200);
  });

  it('a stream longer than its lease keeps its slot (the relay renews it) and frees it the moment it ends, even when the client goes away before or during the answer', async () => {
    const key = await createKey({ max_parallel_requests: 1 });
    // 51 tokens at 3 per second, ~17 s: the answer outlives the 10 s lease by far more than the
    // probe below can take, however loaded the machine.
    const long = { ...body('long stream', { tokens: 51, tokensPerSecond: 3 }), stream: true };
    const started = Date.now();
    const streaming = rawChat(stack!.url, key, long);
    // The lease's expiry is a time, so this wait is one.
    await new Promise((r) => setTimeout(r, LEASE_SECONDS * 1000 + 1500));
    // Past the first lease's expiry: still held, because the relay renewed it.
    const during = await rawChat(stack!.url, key, body('while streaming'));
    expectRefused(during, 'parallel_limit_exceeded');
    const done = await streaming;
    expect(done.status).toBe(200);
    expect(during.at).toBeLessThan(done.at); // refused while the stream still ran
    expect(Date.now() - started).toBeGreaterThan(LEASE_SECONDS * 1000);
    await slotsFreed(key);
    expect((await rawChat(stack!.url, key, body('after'))).status).toBe(200);

    // A client that leaves mid-stream: its slot is free at once, not when the lease runs out.
    await slotsFreed(key);
    const abort = new AbortController();
    const res = await fetch(`${stack!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(long),
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    abort.abort();
    expect(await admittedWithin(key, 3000)).toBe(true);

    // A client that leaves before the first byte (the provider is still thinking): the same.
    await slotsFreed(key);
    const early = new AbortController();
    const asked = stack!.mock.requests.length;
    const waiting = fetch(`${stack!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify(body('slow to start', { tokens: 3, ttftMs: 20_000 })),
      signal: early.signal,
    }).catch(() => undefined);
    // Leave once the provider has the request (and the slot is held), not after a guess at when.
    await waitFor(() => (stack!.mock.requests.length > asked ? true : undefined), 10_000);
    early.abort();
    await waiting;
    expect(await admittedWithin(key, 3000)).toBe(true);
  }, 60_000);

  /** Whether a request of `key` is admitted within `ms` (its only slot has been freed). */
  async function admittedWithin(key: string, ms: number): Promise<boolean> {
    for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
      if ((await rawChat(stack!.url, key, body('is the slot free'))).status === 200) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }
});
