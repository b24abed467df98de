/**
 * Fail closed: with Redis and PostgreSQL both gone, the gateway refuses what it cannot verify or
 * bill, with 503 in OpenAI's shape, and forwards nothing to the provider.
 *
 * - a key verified before the outage, once its cache entry is older than cache_ttl_seconds
 *   (10 s here; while the invalidation channel is down local entries count as fresh for 1 s
 *   only, and the last-resort fallback accepts entries younger than the TTL) → 503 auth_unavailable;
 * - an unknown key → 503 auth_unavailable, not 401: it cannot be told apart from a valid one;
 * - a key with a budget, while its entry is still fresh → 503 from aigw-proxy
 *   (gateway_unavailable): the key is known, but its budget cannot be enforced without Redis.
 *
 * How it can fail: a lookup that treats a store error as "unknown key" (401), a cache that keeps
 * serving stale entries past the TTL while the stores are down (200), a plugin that throws
 * instead of answering (Kong fails open: the request would reach the mock), or a budget check
 * skipped when Redis is unreachable (200 and an unbilled call).
 */
import { randomBytes } from 'node:crypto';
import { mockDirective } from '../harness/mock-provider';
import { pluginConfigs } from '../harness/stack/deck-for-dev';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { type ChatResult, errorCode, rawChat } from './billing-helpers';

let stores: SharedStores | undefined;
let stack: DevStack | undefined;

/**
 * aigw-virtual-key's cache_ttl_seconds here: long enough that the first steps below (a request,
 * stopping both stores, a request that waits on their timeouts) finish inside it on a loaded
 * machine, which the test checks, since otherwise it would prove nothing.
 */
const CACHE_TTL_MS = 10_000;

function cacheTtl(deck: Record<string, unknown>): Record<string, unknown> {
  for (const config of pluginConfigs(deck, 'aigw-virtual-key')) config.cache_ttl_seconds = CACHE_TTL_MS / 1000;
  return deck;
}

beforeAll(async () => {
  stores = await startSharedStores();
  stack = await startDevStack({ env: {}, stores, deckTransform: cacheTtl });
}, 60_000);

afterAll(async () => {
  // Every step on its own: a failure in one must not leave the others running.
  await stack?.close().catch(() => undefined);
  await stores?.stop().catch(() => undefined);
}, 30_000);

const chat = (key: string, text = 'hello'): Promise<ChatResult> =>
  rawChat(stack!.url, key, { model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `${text} ${mockDirective({ tokens: 3 })}` }] });

function expectUnavailable(r: ChatResult, code: string): void {
  expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 503, code });
  // OpenAI's error shape, so SDKs raise their InternalServerError-like class with a message.
  expect(r.body.error).toEqual({ message: expect.any(String), type: expect.any(String), code, param: null });
}

localOnly('stops Redis and PostgreSQL').describe('with Redis and PostgreSQL down', () => {
  it('refuses with 503 and forwards nothing: stale keys, unknown keys, and budgeted keys even while cached', async () => {
    const plain = await stack!.admin('POST', '/admin/keys', { key_alias: 'fc-plain' });
    const budgeted = await stack!.admin('POST', '/admin/keys', { key_alias: 'fc-budget', max_budget: 1 });
    expect([plain.status, budgeted.status]).toEqual([201, 201]);
    const plainKey = plain.body.key as string;
    const budgetKey = budgeted.body.key as string;

    // Verified once each, so aigw-virtual-key caches them.
    expect((await chat(plainKey)).status).toBe(200);
    const verifiedAt = Date.now();
    expect((await chat(budgetKey)).status).toBe(200);
    stack!.mock.reset();

    await Promise.all([stores!.redis.stop(), stores!.postgres.stop()]);
    const storesDownAt = Date.now();

    // 1. The budgeted key is still in the plugin's cache (younger than the TTL): aigw-virtual-key
    //    lets it through, aigw-proxy cannot reserve its budget and refuses.
    const budgetWhileCached = await chat(budgetKey);
    expect(Date.now() - verifiedAt).toBeLessThan(CACHE_TTL_MS); // or this would prove nothing
    expectUnavailable(budgetWhileCached, 'gateway_unavailable');

    // 2. An unknown key cannot be verified either: 503, never 401.
    const unknown = await chat(`sk-aigw-${randomBytes(24).toString('hex')}`);
    expectUnavailable(unknown, 'auth_unavailable');

    // 3. Past the cache TTL, the once-good key cannot be re-verified.
    const wait = verifiedAt + CACHE_TTL_MS + 300 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const stale = await chat(plainKey);
    expectUnavailable(stale, 'auth_unavailable');
    const staleBudget = await chat(budgetKey);
    expectUnavailable(staleBudget, 'auth_unavailable');

    // Nothing was proxied while the stores were down.
    expect(stack!.mock.requests).toHaveLength(0);
    // Refusals are quick (short store timeouts), not a hang until the client gives up.
    expect(Date.now() - storesDownAt).toBeLessThan(CACHE_TTL_MS + 6000);
  }, 45_000);
});

localOnly('kills a plugin server of the Kong test double').describe("with the key plugin's server down", () => {
  /** The aigw-virtual-key plugin servers the ingress started, in order. */
  const keyServers = (): number[] =>
    stack!.ingress.logs
      .filter((l) => l.source === 'aigw-virtual-key' && /\[pluginserver\] started, pid \d+/.test(l.message))
      .map((l) => Number(/pid (\d+)/.exec(l.message)![1]));

  it('routes nothing: Kong skips the dead plugin (fail-open), aigw-proxy refuses what it did not admit', async () => {
    // A second stack: the first test stopped this file's stores.
    const stores = await startSharedStores();
    const node = await startDevStack({ env: {}, stores });
    const previous = stack;
    stack = node;
    try {
      const created = await node.admin('POST', '/admin/keys', { key_alias: 'fc-dead-plugin' });
      const key = created.body.key as string;
      expect((await chat(key)).status).toBe(200);
      // Kill the key plugin's server; Kong starts the next one at once if the last start is over
      // a second old, else no sooner than a second after it. So kill the latest server until the
      // requests meet none: normally the second kill, later on a machine so loaded that the
      // replacement was up before they were sent (the key plugin then answers 401 itself).
      const terminations = (): number =>
        stack!.ingress.logs.filter((l) => l.message === "external pluginserver 'aigw-virtual-key' terminated: signal 9").length;
      let refusals: ChatResult[] = [];
      for (let attempt = 0; attempt < 6; attempt++) {
        const ended = terminations();
        process.kill(keyServers().at(-1)!, 'SIGKILL');
        await waitFor(() => (terminations() > ended ? true : undefined), 5000);
        node.mock.reset();
        const withoutKey = await rawChat(node.url, '', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'no key at all' }] });
        const withGarbage = await chat('sk-aigw-garbage');
        refusals = [withoutKey, withGarbage];
        if (refusals.every((r) => r.status !== 401)) break;
      }
      for (const r of refusals) expectUnavailable(r, 'auth_unavailable');
      expect(node.mock.requests).toHaveLength(0);
      // Once Kong has restarted it, keys are checked again.
      const until = Date.now() + 5000;
      let again = await chat(key);
      while (again.status !== 200 && Date.now() < until) {
        await new Promise((r) => setTimeout(r, 200));
        again = await chat(key);
      }
      expect(again.status).toBe(200);
      expect((await chat('sk-aigw-garbage')).status).toBe(401);
    } finally {
      stack = previous;
      await node.close().catch(() => undefined);
      await stores.stop().catch(() => undefined);
    }
  }, 60_000);
});
