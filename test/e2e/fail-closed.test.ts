/**
 * Fail closed: with Redis and PostgreSQL both gone, the gateway refuses what it cannot verify or
 * bill, with 503 in OpenAI's shape, and forwards nothing to the provider.
 *
 * - a key verified before the outage, once its cache entry is older than cache_ttl_seconds
 *   (default 5 s; while the invalidation channel is down local entries count as fresh for 1 s
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
import { runMigrations } from '../../lib/db/migrate';
import { createPool, POOL_DEADLINES } from '../../lib/db/pool';
import { bootstrapAdmin } from '../../sidecars/control/cli/bootstrap';
import { startDevStack, type DevStack, type SharedStores } from '../dev/stack';
import { startPostgres, type TestPostgres } from '../infra/postgres';
import { startRedis, type TestRedis } from '../infra/redis';
import { mockDirective } from '../mock-provider';
import { errorCode, rawChat, type ChatResult } from './billing-helpers';

let redis: TestRedis | undefined;
let postgres: TestPostgres | undefined;
let stack: DevStack | undefined;

/** As startSharedStores, but keeping the handles so the test can stop each store itself. */
async function startStores(): Promise<SharedStores> {
  redis = await startRedis();
  postgres = await startPostgres();
  const pool = createPool(postgres.url, { deadlines: POOL_DEADLINES.maintenance });
  try {
    await runMigrations(pool);
    const admin = await bootstrapAdmin(pool, { alias: 'fail-closed-admin', force: false });
    return {
      redisUrl: redis.url,
      databaseUrl: postgres.url,
      planSecret: randomBytes(32).toString('hex'),
      adminKey: admin.raw,
      stop: async () => {
        await postgres?.stop();
        await redis?.stop();
      },
    };
  } finally {
    await pool.end();
  }
}

beforeAll(async () => {
  const stores = await startStores();
  stack = await startDevStack({ env: {}, stores });
}, 60_000);

afterAll(async () => {
  // Every step on its own: a failure in one must not leave the others running.
  await stack?.close().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
  await redis?.stop().catch(() => undefined);
}, 30_000);

const CACHE_TTL_MS = 5000; // aigw-virtual-key cache_ttl_seconds default (deck/kong.yaml sets none)

const chat = (key: string, text = 'hello'): Promise<ChatResult> =>
  rawChat(stack!.url, key, { model: 'gpt-4o-mini', max_tokens: 20, messages: [{ role: 'user', content: `${text} ${mockDirective({ tokens: 3 })}` }] });

function expectUnavailable(r: ChatResult, code: string): void {
  expect({ status: r.status, code: errorCode(r) }).toEqual({ status: 503, code });
  // OpenAI's error shape, so SDKs raise their InternalServerError-like class with a message.
  expect(r.body.error).toEqual({ message: expect.any(String), type: expect.any(String), code, param: null });
}

describe('with Redis and PostgreSQL down', () => {
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

    await Promise.all([redis!.stop(), postgres!.stop()]);
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
  }, 30_000);
});
