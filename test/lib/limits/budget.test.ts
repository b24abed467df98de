// Budget reservations against a real redis-server: atomic across key and team, exact under
// concurrency from separate connections, idempotent settle/refund, expiry, windows, cold start.
import type { BudgetSubject } from '../../../lib/identity';
import { BudgetLimiter, budgetSubject } from '../../../lib/limits/budget';
import { type RedisFixture, redisFixture } from './fixture';

const ANCHOR = '2025-01-01T00:00:00.000Z';
const T0 = Date.parse(ANCHOR) + 1_000;
const HOUR = 3_600_000;
const A = 1_000_000; // worst-case cost of one request, nano-USD

let fx: RedisFixture;
let budget: BudgetLimiter;
let seq = 0;
const uid = (p: string): string => `${p}-${++seq}`;

beforeAll(async () => {
  fx = await redisFixture();
  budget = new BudgetLimiter(fx.redis);
});
afterAll(async () => fx?.close());

function subject(kind: 'key' | 'team', id: string, maxNano: number, duration: string | null = '30d', now = T0): BudgetSubject {
  return budgetSubject(kind, id, { maxBudgetNano: maxNano, budgetDuration: duration, budgetAnchor: ANCHOR }, now)!;
}

/** Seeds the windows as the ledger would (0 spent unless said otherwise). */
async function init(subjects: BudgetSubject[], spent = 0): Promise<void> {
  const teamId = subjects.find((s) => s.kind === 'team')?.id ?? null;
  for (const s of subjects) await budget.initWindow(s, spent, teamId, T0);
}

async function status(s: BudgetSubject, teamId: string | null, now = T0) {
  return budget.status(s, teamId, now);
}

describe('budget subject', () => {
  it('is null without a budget and carries the current window otherwise', () => {
    expect(budgetSubject('key', 'k', { maxBudgetNano: null, budgetDuration: '1d', budgetAnchor: ANCHOR })).toBeNull();
    expect(subject('key', 'k', 5, '1h', T0 + 2.5 * HOUR)).toEqual({
      kind: 'key',
      id: 'k',
      maxNano: 5,
      periodStart: Date.parse(ANCHOR) + 2 * HOUR,
      periodEnd: Date.parse(ANCHOR) + 3 * HOUR,
    });
  });
});

describe('reserve', () => {
  it('admits exactly 50 of 200 concurrent worst-case reservations from separate connections', async () => {
    const key = subject('key', uid('k'), 50 * A);
    await init([key]);
    const conns = fx.connections(8).map((c) => new BudgetLimiter(c));
    const ids = Array.from({ length: 200 }, (_, i) => `req-${key.id}-${i}`);
    const results = await Promise.all(
      ids.map((requestId, i) => conns[i % conns.length].reserve({ requestId, amountNano: A, subjects: [key], ttlMs: 60_000, now: T0 })),
    );
    const admitted = ids.filter((_, i) => results[i].ok);
    expect(admitted).toHaveLength(50);
    for (const r of results) if (!r.ok) expect(r).toMatchObject({ reason: 'over_budget', remainingNano: 0, subject: key });
    expect(await status(key, null)).toMatchObject({ spentNano: 0, reservedNano: 50 * A, remainingNano: 0 });

    // settle with actual ≤ reserved, concurrently too: spend never exceeds the budget, reservations all released
    const actuals = admitted.map((_, i) => A - ((i * 7919) % A));
    await Promise.all(admitted.map((requestId, i) => conns[i % conns.length].settle({ requestId, actualNano: actuals[i], subjects: [key], now: T0 + 10 })));
    const st = await status(key, null, T0 + 10);
    expect(st.reservedNano).toBe(0);
    expect(st.spentNano).toBe(actuals.reduce((a, b) => a + b, 0));
    expect(st.spentNano).toBeLessThanOrEqual(50 * A);
  });

  it('a team budget shared by several keys admits exactly the team budget; no key exceeds its own', async () => {
    const team = subject('team', uid('t'), 50 * A);
    const keys = [0, 1, 2, 3].map(() => subject('key', uid('k'), 20 * A));
    for (const k of keys) await init([k, team]);
    const conns = fx.connections(6).map((c) => new BudgetLimiter(c));
    const jobs = Array.from({ length: 200 }, (_, i) => ({ requestId: `tr-${team.id}-${i}`, key: keys[i % 4] }));
    const results = await Promise.all(
      jobs.map((j, i) => conns[i % conns.length].reserve({ requestId: j.requestId, amountNano: A, subjects: [j.key, team], ttlMs: 60_000, now: T0 })),
    );
    const admitted = jobs.filter((_, i) => results[i].ok);
    expect(admitted).toHaveLength(50);
    const perKey = keys.map((k) => admitted.filter((j) => j.key === k).length);
    for (const n of perKey) expect(n).toBeLessThanOrEqual(20);
    // refused reservations reserved nothing anywhere: the key counters hold exactly their admitted ones
    for (const [i, k] of keys.entries()) expect((await status(k, team.id)).reservedNano).toBe(perKey[i] * A);

    await Promise.all(
      admitted.map((j, i) => conns[i % conns.length].settle({ requestId: j.requestId, actualNano: A - i, subjects: [j.key, team], now: T0 + 5 })),
    );
    const t = await status(team, null, T0 + 5);
    expect(t.reservedNano).toBe(0);
    expect(t.spentNano).toBeLessThanOrEqual(50 * A);
    expect(t.spentNano).toBe(admitted.reduce((sum, _, i) => sum + A - i, 0));
    let keySum = 0;
    for (const k of keys) {
      const s = await status(k, team.id, T0 + 5);
      expect(s.spentNano).toBeLessThanOrEqual(20 * A);
      keySum += s.spentNano;
    }
    expect(keySum).toBe(t.spentNano);
  });

  it('refuses when the team does not fit even though the key does, and reserves on neither', async () => {
    const team = subject('team', uid('t'), 3 * A);
    const key = subject('key', uid('k'), 100 * A);
    await init([key, team]);
    await budget.initWindow(team, 2.5 * A, null, T0); // no-op: already initialised at 0
    expect(await budget.reserve({ requestId: uid('r'), amountNano: 2 * A, subjects: [key, team], ttlMs: 1000, now: T0 })).toEqual({
      ok: true,
      duplicate: false,
    });
    const r = await budget.reserve({ requestId: uid('r'), amountNano: 2 * A, subjects: [key, team], ttlMs: 1000, now: T0 });
    expect(r).toEqual({ ok: false, reason: 'over_budget', subject: team, remainingNano: A });
    expect((await status(key, team.id)).reservedNano).toBe(2 * A);
    expect((await status(team, null)).reservedNano).toBe(2 * A);
  });

  it('reports the subject with the least room when both are over', async () => {
    const team = subject('team', uid('t'), 10 * A);
    const key = subject('key', uid('k'), 4 * A);
    await init([key, team], 3 * A);
    const r = await budget.reserve({ requestId: uid('r'), amountNano: 8 * A, subjects: [team, key], ttlMs: 1000, now: T0 });
    expect(r).toMatchObject({ ok: false, reason: 'over_budget', subject: key, remainingNano: A });
  });

  it('reserving the same request id twice holds one reservation', async () => {
    const key = subject('key', uid('k'), 10 * A);
    await init([key]);
    const requestId = uid('r');
    expect(await budget.reserve({ requestId, amountNano: A, subjects: [key], ttlMs: 1000, now: T0 })).toEqual({ ok: true, duplicate: false });
    expect(await budget.reserve({ requestId, amountNano: A, subjects: [key], ttlMs: 1000, now: T0 })).toEqual({ ok: true, duplicate: true });
    expect((await status(key, null)).reservedNano).toBe(A);
    await budget.settle({ requestId, actualNano: 1, subjects: [key], now: T0 });
    expect(await budget.reserve({ requestId, amountNano: A, subjects: [key], ttlMs: 1000, now: T0 })).toEqual({
      ok: false,
      reason: 'finished',
      state: 'settled',
    });
  });

  it('counts integer nano-USD exactly beyond 2^32 and beyond 14 digits', async () => {
    const key = subject('key', uid('k'), 9_000_000_000_000_000);
    await init([key], 1_234_567_890_123_457);
    const requestId = uid('r');
    await budget.reserve({ requestId, amountNano: 4_000_000_000_000_001, subjects: [key], ttlMs: 1000, now: T0 });
    expect((await status(key, null)).reservedNano).toBe(4_000_000_000_000_001);
    await budget.settle({ requestId, actualNano: 3_999_999_999_999_999, subjects: [key], now: T0 });
    expect(await status(key, null)).toMatchObject({ spentNano: 5_234_567_890_123_456, reservedNano: 0 });
  });

  it('rejects non-integer money and duplicate subjects before touching Redis', async () => {
    const key = subject('key', uid('k'), 10 * A);
    await expect(budget.reserve({ requestId: uid('r'), amountNano: 1.5, subjects: [key], ttlMs: 1000 })).rejects.toThrow(/safe integer/);
    await expect(budget.reserve({ requestId: uid('r'), amountNano: 1, subjects: [key, key], ttlMs: 1000 })).rejects.toThrow(/duplicate/);
  });
});

describe('settle and refund', () => {
  it('settle moves the reservation to spent once, refunding the difference; a second settle changes nothing', async () => {
    const key = subject('key', uid('k'), 10 * A);
    await init([key]);
    const requestId = uid('r');
    await budget.reserve({ requestId, amountNano: 3 * A, subjects: [key], ttlMs: 60_000, now: T0 });
    expect(await budget.settle({ requestId, actualNano: A, subjects: [key], now: T0 + 1 })).toEqual({
      ok: true,
      outcome: 'settled',
      found: true,
      charged: true,
    });
    expect(await budget.settle({ requestId, actualNano: A, subjects: [key], now: T0 + 2 })).toEqual({
      ok: true,
      outcome: 'duplicate',
      found: false,
      charged: false,
    });
    expect(await status(key, null)).toMatchObject({ spentNano: A, reservedNano: 0, remainingNano: 9 * A });
    expect(await budget.refund({ requestId, subjects: [key], now: T0 + 3 })).toEqual({ found: false });
    expect(await status(key, null)).toMatchObject({ spentNano: A, reservedNano: 0 });
  });

  it('refund releases the whole reservation once', async () => {
    const key = subject('key', uid('k'), 10 * A);
    await init([key]);
    const requestId = uid('r');
    await budget.reserve({ requestId, amountNano: 4 * A, subjects: [key], ttlMs: 60_000, now: T0 });
    expect(await budget.refund({ requestId, subjects: [key], now: T0 + 1 })).toEqual({ found: true });
    expect(await budget.refund({ requestId, subjects: [key], now: T0 + 2 })).toEqual({ found: false });
    expect(await status(key, null)).toMatchObject({ spentNano: 0, reservedNano: 0, remainingNano: 10 * A });
  });

  it('refund of an unknown request is a no-op', async () => {
    const key = subject('key', uid('k'), 10 * A);
    await init([key]);
    expect(await budget.refund({ requestId: uid('r'), subjects: [key], now: T0 })).toEqual({ found: false });
    expect((await status(key, null)).reservedNano).toBe(0);
  });

  it('settle without a reservation still records the spend on every subject, once', async () => {
    const team = subject('team', uid('t'), 10 * A);
    const key = subject('key', uid('k'), 10 * A);
    await init([key, team]);
    const requestId = uid('r');
    const req = { requestId, actualNano: 2 * A, subjects: [key, team], now: T0 };
    expect(await budget.settle(req)).toEqual({ ok: true, outcome: 'unreserved', found: false, charged: true });
    expect(await budget.settle(req)).toEqual({ ok: true, outcome: 'duplicate', found: false, charged: false });
    expect((await status(key, team.id)).spentNano).toBe(2 * A);
    expect((await status(team, null)).spentNano).toBe(2 * A);
  });

  it('settle without subjects and without a record cannot charge and says so', async () => {
    expect(await budget.settle({ requestId: uid('r'), actualNano: 5, subjects: [] })).toEqual({
      ok: true,
      outcome: 'unrecorded',
      found: false,
      charged: false,
    });
  });
});

describe('expiry', () => {
  it('an unsettled reservation is refunded when it expires, inside the next script call', async () => {
    const key = subject('key', uid('k'), 2 * A);
    await init([key]);
    const stale = uid('r');
    await budget.reserve({ requestId: stale, amountNano: 2 * A, subjects: [key], ttlMs: 5_000, now: T0 });
    const blocked = await budget.reserve({ requestId: uid('r'), amountNano: A, subjects: [key], ttlMs: 5_000, now: T0 + 4_999 });
    expect(blocked).toMatchObject({ ok: false, reason: 'over_budget' });
    const after = await budget.reserve({ requestId: uid('r'), amountNano: A, subjects: [key], ttlMs: 5_000, now: T0 + 5_000 });
    expect(after).toEqual({ ok: true, duplicate: false });
    expect((await status(key, null, T0 + 5_000)).reservedNano).toBe(A);
    // nothing of the stale one is left for a later refund to release twice
    expect(await budget.refund({ requestId: stale, subjects: [key], now: T0 + 6_000 })).toEqual({ found: false });
    expect((await status(key, null, T0 + 6_000)).reservedNano).toBe(A);

    // a settle arriving after expiry still charges the spend (to the window it reserved in)
    expect(await budget.settle({ requestId: stale, actualNano: A / 2, subjects: [key], now: T0 + 7_000 })).toEqual({
      ok: true,
      outcome: 'late',
      found: false,
      charged: true,
    });
    expect(await status(key, null, T0 + 7_000)).toMatchObject({ spentNano: A / 2, reservedNano: A });
  });

  it('status alone sweeps expired reservations', async () => {
    const key = subject('key', uid('k'), 2 * A);
    await init([key]);
    await budget.reserve({ requestId: uid('r'), amountNano: A, subjects: [key], ttlMs: 1_000, now: T0 });
    expect((await status(key, null, T0 + 999)).reservedNano).toBe(A);
    expect((await status(key, null, T0 + 1_000)).reservedNano).toBe(0);
  });
});

describe('windows', () => {
  it('a new window starts at 0 and the old one keeps its spend', async () => {
    const id = uid('k');
    const w1 = subject('key', id, 2 * A, '1h', T0);
    await init([w1]);
    const r1 = uid('r');
    await budget.reserve({ requestId: r1, amountNano: 2 * A, subjects: [w1], ttlMs: 60_000, now: T0 });
    await budget.settle({ requestId: r1, actualNano: 2 * A, subjects: [w1], now: T0 + 1 });
    expect(await budget.reserve({ requestId: uid('r'), amountNano: 1, subjects: [w1], ttlMs: 60_000, now: T0 + 2 })).toMatchObject({
      ok: false,
      reason: 'over_budget',
      remainingNano: 0,
    });

    const later = T0 + HOUR;
    const w2 = subject('key', id, 2 * A, '1h', later);
    expect(w2.periodStart).toBe(w1.periodEnd);
    const cold = await budget.reserve({ requestId: uid('r'), amountNano: A, subjects: [w2], ttlMs: 60_000, now: later });
    expect(cold).toEqual({ ok: false, reason: 'needs_init', needsInit: [w2] });
    const loaded: BudgetSubject[] = [];
    const r = await budget.reserveWithInit({ requestId: uid('r'), amountNano: A, subjects: [w2], ttlMs: 60_000, now: later }, async (s) => {
      loaded.push(s);
      return 0;
    });
    expect(r).toEqual({ ok: true, duplicate: false });
    expect(loaded).toEqual([w2]);
    expect(await budget.status(w2, null, later)).toMatchObject({ spentNano: 0, reservedNano: A, window: { start: w2.periodStart, end: w2.periodEnd } });
    expect(await budget.status(w1, null, later)).toMatchObject({ spentNano: 2 * A, reservedNano: 0 });
  });
});

describe('cold start', () => {
  it('concurrent initialisers agree on one value', async () => {
    const key = subject('key', uid('k'), 100 * A);
    const conns = fx.connections(5).map((c) => new BudgetLimiter(c));
    const created = await Promise.all(conns.flatMap((b, i) => [b.initWindow(key, (i + 1) * A, null, T0), b.initWindow(key, (i + 10) * A, null, T0)]));
    expect(created.filter(Boolean)).toHaveLength(1);
    const winner = [1, 10, 2, 11, 3, 12, 4, 13, 5, 14][created.indexOf(true)] * A;
    expect(await status(key, null)).toMatchObject({ initialised: true, spentNano: winner, reservedNano: 0 });
  });

  it('reserve and settle report cold windows and seed them from the ledger', async () => {
    const team = subject('team', uid('t'), 10 * A);
    const key = subject('key', uid('k'), 10 * A);
    expect(await status(key, team.id)).toMatchObject({ initialised: false, spentNano: 0 });
    const requestId = uid('r');
    expect(await budget.reserve({ requestId, amountNano: A, subjects: [key, team], ttlMs: 1000, now: T0 })).toEqual({
      ok: false,
      reason: 'needs_init',
      needsInit: [key, team],
    });
    const ledger = new Map([
      [key.id, 8 * A],
      [team.id, 3 * A],
    ]);
    const r = await budget.reserveWithInit({ requestId, amountNano: 3 * A, subjects: [key, team], ttlMs: 1000, now: T0 }, async (s) => ledger.get(s.id)!);
    expect(r).toMatchObject({ ok: false, reason: 'over_budget', subject: key, remainingNano: 2 * A });

    const settleSubjects = [subject('key', uid('k'), 10 * A)];
    expect(await budget.settle({ requestId: uid('r'), actualNano: A, subjects: settleSubjects, now: T0 })).toEqual({
      ok: false,
      reason: 'needs_init',
      needsInit: settleSubjects,
    });
    expect(await budget.settleWithInit({ requestId: uid('r'), actualNano: A, subjects: settleSubjects, now: T0 }, async () => 4 * A)).toMatchObject({
      outcome: 'unreserved',
    });
    expect((await status(settleSubjects[0], null)).spentNano).toBe(5 * A);
  });

  it('200 concurrent reserveWithInit on cold windows still admit exactly 50', async () => {
    const team = subject('team', uid('t'), 50 * A);
    const key = subject('key', uid('k'), 1000 * A);
    const conns = fx.connections(8).map((c) => new BudgetLimiter(c));
    let loads = 0;
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        conns[i % conns.length].reserveWithInit(
          { requestId: `cold-${team.id}-${i}`, amountNano: A, subjects: [key, team], ttlMs: 60_000, now: T0 },
          async () => {
            loads++;
            return 0;
          },
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    expect(loads).toBeGreaterThan(0);
    expect(await status(team, null)).toMatchObject({ spentNano: 0, reservedNano: 50 * A, remainingNano: 0 });
  });
});
