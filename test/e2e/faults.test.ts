/**
 * Redis, then PostgreSQL, stall mid-traffic (SIGSTOP: connections stay open and nothing answers,
 * as a hung or paused store does), under two gateway nodes sharing them, while a key is revoked.
 * Afterwards:
 * - no key is locked out: a key with max_parallel 2 runs 2 requests at once, its leases and the
 *   budgeted key's reservations are all released (checked in Redis);
 * - nothing was served unbilled: every 200 has its ledger row, and the budgeted key's ledger sum
 *   equals the x-gateway-cost headers it was shown and the spend in its Redis counter;
 * - nothing was served unauthenticated: the key revoked during the Redis stall is refused by
 *   both nodes from 1 s after the revoke call returned (the key cache trusts entries 1 s while
 *   the invalidation channel is down, and the heartbeat notices the stall within 750 ms);
 * - every request got an answer (no hang), and the only errors were refusals (429 at the
 *   parallel limit, 503 when a store could not answer), never another 5xx.
 *
 * How it can fail: commands sent during the stall that run when Redis resumes (a lease or a
 * reservation nobody releases), settlements lost in the stall (the counter forgets spend), ledger
 * rows dropped while PostgreSQL is away, a revoked key served from a cache that still trusts a
 * silent channel, or a store call without a deadline (a hang).
 */
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { BudgetLimiter, budgetSubject, ParallelLimiter } from '../../lib/limits';
import { mockDirective } from '../harness/mock-provider';
import { localOnly } from '../harness/stack/remote-stack';
import { type DevStack, type SharedStores, startDevStack, startSharedStores } from '../harness/stack/stack';
import { waitFor } from '../harness/wait-for';
import { sum, usdStringToNano, waitForLedger } from './billing-helpers';

const local = localOnly('stalls Redis and PostgreSQL under two gateway nodes');

let stores: SharedStores | undefined;
let a: DevStack | undefined;
let b: DevStack | undefined;
let redis: Redis | undefined;

beforeAll(async () => {
  stores = await startSharedStores();
  a = await startDevStack({ env: {}, stores });
  b = await startDevStack({ env: {}, stores });
  redis = new Redis(stores.redisUrl, { maxRetriesPerRequest: 1 });
}, 90_000);

afterAll(async () => {
  redis?.disconnect();
  await stores?.redis.resume?.().catch(() => undefined);
  await stores?.postgres.resume?.().catch(() => undefined);
  await b?.close().catch(() => undefined);
  await a?.close().catch(() => undefined);
  await stores?.stop().catch(() => undefined);
}, 60_000);

interface Outcome {
  key: string;
  node: number;
  status: number | 'hang';
  code: string | null;
  requestId: string | null;
  cost: string | null;
  startedAt: number;
}

const REQUEST_DEADLINE_MS = 15_000;
const REVOKE_BOUND_MS = 1000;
/** Every request the test sent, whatever its phase. */
const sent: Outcome[] = [];

async function send(...args: Parameters<typeof sendOnce>): Promise<Outcome> {
  const outcome = await sendOnce(...args);
  sent.push(outcome);
  return outcome;
}

async function sendOnce(node: number, key: string, name: string, text = 'hello', script = { tokens: 3, ttftMs: 30 }): Promise<Outcome> {
  const stack = node === 0 ? a! : b!;
  const startedAt = Date.now();
  try {
    const res = await fetch(`${stack.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: `${text} ${mockDirective(script)}` }] }),
      signal: AbortSignal.timeout(REQUEST_DEADLINE_MS),
    });
    const body = (await res.json()) as { error?: { code?: string } };
    return {
      key: name,
      node,
      status: res.status,
      code: body.error?.code ?? null,
      requestId: res.headers.get('x-kong-request-id'),
      cost: res.headers.get('x-gateway-cost'),
      startedAt,
    };
  } catch {
    return { key: name, node, status: 'hang', code: null, requestId: null, cost: null, startedAt };
  }
}

async function createKey(fields: Record<string, unknown>): Promise<{ id: string; key: string; body: Record<string, unknown> }> {
  const created = await a!.admin('POST', '/admin/keys', { key_alias: `faults-${randomBytes(4).toString('hex')}`, ...fields });
  expect(created.status).toBe(201);
  return { id: created.body.id as string, key: created.body.key as string, body: created.body };
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

local.describe('Redis and PostgreSQL stall mid-traffic under two nodes', () => {
  it('locks no key out, serves nothing unbilled or unauthenticated, and honours the revoke bound', async () => {
    const limited = await createKey({ max_parallel_requests: 2, rpm_limit: 10_000 });
    const budgeted = await createKey({ max_budget: 5 });
    const plain = await createKey({});
    const doomed = await createKey({});
    const traffic = [
      { name: 'limited', key: limited.key },
      { name: 'budgeted', key: budgeted.key },
      { name: 'plain', key: plain.key },
    ];
    // Both nodes know every key before anything stalls.
    for (const node of [0, 1]) for (const t of traffic) expect((await send(node, t.key, t.name)).status).toBe(200);

    // Steady traffic from 6 clients until told to stop.
    const outcomes: Outcome[] = [];
    let running = true;
    const clients = Array.from({ length: 6 }, async (_, i) => {
      for (let n = 0; running; n++) {
        const t = traffic[(i + n) % traffic.length];
        outcomes.push(await send((i + n) % 2, t.key, t.name));
      }
    });

    // Redis stalls; the doomed key was first used just before, on both nodes.
    await pause(500);
    for (const node of [0, 1]) expect((await send(node, doomed.key, 'doomed')).status).toBe(200);
    await stores!.redis.pause!();
    const probes: Outcome[] = [];
    let revokedAt = 0;
    try {
      await pause(300);
      const revoke = await a!.admin('POST', `/admin/keys/${doomed.id}/revoke`);
      revokedAt = Date.now();
      expect(revoke.status).toBe(200);
      // Probe the revoked key on both nodes for longer than any cache could trust it.
      while (Date.now() - revokedAt < 5500) {
        probes.push(...(await Promise.all([send(0, doomed.key, 'doomed'), send(1, doomed.key, 'doomed')])));
        await pause(100);
      }
    } finally {
      await stores!.redis.resume!();
    }

    // Then PostgreSQL stalls for a while.
    await pause(1000);
    await stores!.postgres.pause!();
    try {
      await pause(4000);
    } finally {
      await stores!.postgres.resume!();
    }
    await pause(1500);
    running = false;
    await Promise.all(clients);

    // Every request was answered, and every error was a refusal.
    const statuses: Record<string, number> = {};
    for (const o of [...outcomes, ...probes])
      statuses[`${o.key} ${o.status} ${o.code ?? ''}`.trim()] = (statuses[`${o.key} ${o.status} ${o.code ?? ''}`.trim()] ?? 0) + 1;
    const unexpected = Object.keys(statuses).filter(
      (s) => !/ (200|401 revoked_api_key|429 parallel_limit_exceeded|503 (auth_unavailable|gateway_unavailable))$/.test(s),
    );
    expect({ unexpected, statuses }).toEqual({ unexpected: [], statuses });
    expect(outcomes.filter((o) => o.status === 200).length).toBeGreaterThan(20);

    // The revoked key: nothing served from REVOKE_BOUND_MS after the revoke returned.
    const servedLate = probes.filter((p) => p.status === 200 && p.startedAt > revokedAt + REVOKE_BOUND_MS);
    expect(servedLate.map((p) => ({ node: p.node, after: p.startedAt - revokedAt }))).toEqual([]);
    for (const node of [0, 1]) expect(await send(node, doomed.key, 'doomed')).toMatchObject({ status: 401, code: 'revoked_api_key' });

    // No key locked out: its slots come free (each a moment after its answer; a stuck one would
    // hold for the 60 s lease), then two slow requests at once for the max-2 key, on either node.
    const limiter = new ParallelLimiter(redis!);
    const slotsFree = async (): Promise<void> => {
      await waitFor(async () => ((await limiter.active({ kind: 'key', id: limited.id })) === 0 ? true : undefined), 10_000);
    };
    await slotsFree();
    const pair: Outcome[] = await Promise.all([
      send(0, limited.key, 'limited', 'pair', { tokens: 3, ttftMs: 400 }),
      send(1, limited.key, 'limited', 'pair', { tokens: 3, ttftMs: 400 }),
    ]);
    expect(pair.map((o) => o.status)).toEqual([200, 200]);
    for (const t of traffic) for (const node of [0, 1]) expect((await send(node, t.key, t.name)).status).toBe(200);
    await slotsFree();

    // Nothing unbilled: every 200 has its ledger row (the writer retried through the stall), and
    // for the budgeted key the ledger, the costs it was shown and its Redis counter agree.
    const served = sent.filter((o) => o.status === 200);
    const rows = await waitForLedger(stores!.databaseUrl, { keyIds: [limited.id, budgeted.id, plain.id, doomed.id] }, served.length, 30_000);
    const billed = new Set(rows.map((r) => r.request_id));
    expect(served.filter((o) => !billed.has(o.requestId!)).map((o) => o.requestId)).toEqual([]);
    const budgetLedger = sum(rows.filter((r) => r.key_id === budgeted.id).map((r) => r.cost_nano!));
    const shown = sum(served.filter((o) => o.key === 'budgeted').map((o) => usdStringToNano(o.cost!)));
    expect(budgetLedger).toBe(shown);
    const subject = budgetSubject('key', budgeted.id, {
      maxBudgetNano: budgeted.body.max_budget_nano as number,
      budgetDuration: null,
      budgetAnchor: budgeted.body.budget_anchor as string,
    })!;
    const status = await new BudgetLimiter(redis!).status(subject, null);
    expect({ reserved: status.reservedNano, spent: status.spentNano }).toEqual({ reserved: 0, spent: budgetLedger });
    console.log(`faults: ${served.length} served, statuses ${JSON.stringify(statuses)}`);
  }, 120_000);
});
