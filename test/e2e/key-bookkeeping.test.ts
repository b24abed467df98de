/**
 * What aigw-virtual-key records off the request path: a key's last use (written in batches every
 * few seconds), and, in its log phase, the refund of a budget reservation whose call never reached
 * the relay (aigw-proxy reserved it, nothing settled it).
 */
import Redis from 'ioredis';
import { request } from 'undici';
import { BudgetLimiter, budgetSubject } from '../../lib/limits';
import { LAST_USED_FLUSH_MS } from '../../plugins/aigw-virtual-key/last-used';
import { DEAD_RELAY_HOST, withDeadRelayTwin } from '../harness/stack/e2e-deck';
import { freePort } from '../harness/stack/sidecar-process';
import { type DevStack, startDevStack } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { uniqueName } from './helpers';

let stack: DevStack;
let redis: Redis;

/** undici's request, not fetch: fetch drops a Host header. */
async function chat(key: string, host?: string): Promise<number> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  if (host) headers.host = host;
  const res = await request(`${stack.url}/v1/chat/completions`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'hi [[mock {"tokens":2}]]' }] }),
  });
  await res.body.arrayBuffer();
  return res.statusCode;
}

beforeAll(async () => {
  stack = await startDevStack({ env: {}, deckTransform: withDeadRelayTwin(await freePort()) });
  redis = new Redis(stack.stores.redisUrl, { maxRetriesPerRequest: 1 });
}, 60_000);

afterAll(async () => {
  redis?.disconnect();
  await stack?.close();
});

describe('aigw-virtual-key bookkeeping', () => {
  it('sets last_used_at within the flush interval of a request, and never on an unused key', async () => {
    const used = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('last-used') });
    const unused = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('never-used') });
    expect(used.body.last_used_at).toBeNull();
    const before = Date.now();
    expect(await chat(used.body.key as string)).toBe(200);

    const lastUsed = await waitFor(async () => {
      const info = await stack.admin('GET', `/admin/keys/${used.body.id as string}`);
      return (info.body.last_used_at as string | null) ?? undefined;
    }, LAST_USED_FLUSH_MS + 2000);
    // Written at the flush, at most one interval after the use (and a little slack for the write).
    expect(Date.parse(lastUsed)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(lastUsed)).toBeLessThanOrEqual(Date.now());
    const other = await stack.admin('GET', `/admin/keys/${unused.body.id as string}`);
    expect(other.body.last_used_at).toBeNull();
  });

  it('refunds a reservation at once when the call never reached the relay', async () => {
    const created = await stack.admin('POST', '/admin/keys', { key_alias: uniqueName('refund-dead-relay'), max_budget: 1 });
    expect(created.status).toBe(201);
    const subject = budgetSubject('key', created.body.id as string, {
      maxBudgetNano: created.body.max_budget_nano as number,
      budgetDuration: null,
      budgetAnchor: created.body.budget_anchor as string,
    })!;
    const limiter = new BudgetLimiter(redis);

    expect(await chat(created.body.key as string, DEAD_RELAY_HOST)).toBe(502); // Kong could not connect to the "relay"
    // Reserved by aigw-proxy for up to the plan's timeouts (over 10 minutes), refunded after the response.
    const after = await waitFor(async () => {
      const status = await limiter.status(subject, null);
      return status.initialised && status.reservedNano === 0 ? status : undefined;
    });
    expect(after).toMatchObject({ spentNano: 0, reservedNano: 0, remainingNano: 1e9 });
  });
});
