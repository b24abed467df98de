// The pure balancer: each algorithm, priority tiers, breaker ordering, HRW stability, WRR sequence.
import {
  ALGORITHMS,
  type Algorithm,
  type BalanceContext,
  type BalanceTarget,
  hrwScore,
  orderTargets,
  snapshotNeeds,
  weightedOrder,
} from '../../../lib/routing/balance';
import { targetId } from '../../../lib/routing/target-id';
import type { TargetSnapshot } from '../../../lib/routing/target-stats';
import { prng } from '../../harness/mock-provider/tokenizer';

/** Deterministic PRNG (mulberry32), the one the mock uses. */
const seeded = prng;
const noRandom = (): number => {
  throw new Error('random() must not be called');
};
const T = (id: string, weight = 1, priority = 0, extra: Partial<BalanceTarget> = {}): BalanceTarget => ({ id, weight, priority, ...extra });
const ctx = (over: Partial<BalanceContext> = {}): BalanceContext => ({ snapshot: new Map(), random: seeded(1), estimatedTokens: 0, ...over });
const snap = (entries: Record<string, TargetSnapshot>): Map<string, TargetSnapshot> => new Map(Object.entries(entries));

describe('target id', () => {
  it('is 16 hex of sha256(provider|baseUrl|model), ignoring a trailing slash', () => {
    const a = targetId({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o' });
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(targetId({ provider: 'openai', baseUrl: 'https://api.openai.com/v1/', model: 'gpt-4o' })).toBe(a);
    expect(targetId({ provider: 'openai', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o-mini' })).not.toBe(a);
    expect(targetId({ provider: 'azure', baseUrl: 'https://api.openai.com/v1', model: 'gpt-4o' })).not.toBe(a);
  });
});

describe('priority tiers', () => {
  it.each(ALGORITHMS)('%s: a lower priority value always comes first', (algorithm) => {
    const group = { targets: [T('c', 100, 2), T('a', 1, 0), T('b', 100, 1), T('a2', 1, 0)] };
    for (let seed = 0; seed < 20; seed++) {
      const { order } = orderTargets(group, algorithm, ctx({ random: seeded(seed), counter: seed, hashKey: `k${seed}` }));
      expect(order.slice(2)).toEqual(['b', 'c']);
      expect(order.slice(0, 2).sort()).toEqual(['a', 'a2']);
    }
  });

  it('priority: weighted random within a tier, deterministic for an injected random', () => {
    const group = { targets: [T('a', 1), T('b', 3)] };
    const firsts = Array.from({ length: 4000 }, (_, i) => orderTargets(group, 'priority', ctx({ random: seeded(i) })).order[0]);
    const b = firsts.filter((f) => f === 'b').length / firsts.length;
    expect(b).toBeGreaterThan(0.71);
    expect(b).toBeLessThan(0.79);
    expect(orderTargets(group, 'priority', ctx({ random: () => 0 })).order).toEqual(['a', 'b']);
    expect(orderTargets(group, 'priority', ctx({ random: () => 0.26 })).order).toEqual(['b', 'a']);
    const r1 = orderTargets({ targets: [T('a'), T('b'), T('c'), T('d')] }, 'priority', ctx({ random: seeded(7) }));
    const r2 = orderTargets({ targets: [T('a'), T('b'), T('c'), T('d')] }, 'priority', ctx({ random: seeded(7) }));
    expect(r1).toEqual(r2);
    expect(r1.decision.reason).toBe(`priority: tier 0, weighted random picked ${r1.order[0]}`);
  });

  it('zero-weight targets come last in their tier', () => {
    expect(weightedOrder([T('z', 0), T('a', 1), T('b', 1)], () => 0.99)).toEqual([T('b', 1), T('a', 1), T('z', 0)]);
  });

  it('throws on an empty group', () => {
    expect(() => orderTargets({ targets: [] }, 'priority', ctx())).toThrow(/no target/);
  });
});

describe('weighted-round-robin', () => {
  it('follows the smooth WRR sequence for weights 3:1 over 8 counters, without randomness', () => {
    const group = { targets: [T('a', 3), T('b', 1)] };
    const picks = Array.from({ length: 8 }, (_, i) => orderTargets(group, 'weighted-round-robin', ctx({ counter: i + 1, random: noRandom })));
    expect(picks.map((p) => p.decision.first)).toEqual(['a', 'b', 'a', 'a', 'a', 'b', 'a', 'a']);
    expect(picks.map((p) => p.order.join(''))).toEqual(['ab', 'ba', 'ab', 'ab', 'ab', 'ba', 'ab', 'ab']);
    expect(picks[1].decision.reason).toBe('weighted-round-robin: counter 2 → b (weights 3:1)');
  });

  it('spreads exactly by weight over a period and reduces weights by their gcd', () => {
    const group = { targets: [T('a', 50), T('b', 30), T('c', 20)] };
    const counts: Record<string, number> = {};
    for (let c = 0; c < 10; c++) {
      const f = orderTargets(group, 'weighted-round-robin', ctx({ counter: c, random: noRandom })).decision.first;
      counts[f] = (counts[f] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 5, b: 3, c: 2 });
  });

  it('falls back to weighted random without a counter', () => {
    const r = orderTargets({ targets: [T('a', 1), T('b', 1)] }, 'weighted-round-robin', ctx({ random: () => 0.9 }));
    expect(r.order).toEqual(['b', 'a']);
    expect(r.decision.reason).toMatch(/no counter, weighted random picked b/);
  });
});

describe('least-in-flight', () => {
  it('orders by (in flight + 1) / weight', () => {
    const group = { targets: [T('a', 1), T('b', 1), T('c', 3)] };
    const s = snap({ a: { inFlight: 3 }, b: { inFlight: 1 }, c: { inFlight: 8 } }); // 4, 2, 3
    const r = orderTargets(group, 'least-in-flight', ctx({ snapshot: s }));
    expect(r.order).toEqual(['b', 'c', 'a']);
    expect(r.decision.reason).toBe('least-in-flight: b has 1 in flight (weight 1)');
  });
});

describe('lowest-latency', () => {
  const group = { targets: [T('a'), T('b')] };
  const s = snap({
    a: { latency: { ttftMs: 100, perTokenMs: 10, updatedAt: 0 } },
    b: { latency: { ttftMs: 300, perTokenMs: 2, updatedAt: 0 } },
  });
  it('ranks by ttft + estimatedTokens × perToken', () => {
    const long = orderTargets(group, 'lowest-latency', ctx({ snapshot: s, estimatedTokens: 40 })); // a 500, b 380
    expect(long.order).toEqual(['b', 'a']);
    expect(long.decision.reason).toBe('lowest-latency: b ttft 300 ms + 40×2 ms');
    expect(orderTargets(group, 'lowest-latency', ctx({ snapshot: s, estimatedTokens: 5 })).order).toEqual(['a', 'b']); // 150, 310
  });
  it('explores a target without stats first', () => {
    const r = orderTargets(
      { targets: [T('a'), T('b'), T('new')] },
      'lowest-latency',
      ctx({ snapshot: new Map([...s, ['new', { latency: null }]]), estimatedTokens: 40 }),
    );
    expect(r.order).toEqual(['new', 'b', 'a']);
    expect(r.decision.reason).toMatch(/new has no latency stats yet/);
  });
});

describe('lowest-cost', () => {
  it('orders by worst-case price, unknown last', () => {
    const group = {
      targets: [T('a', 1, 0, { pricePerRequestNano: 300 }), T('u', 1, 0, { pricePerRequestNano: null }), T('b', 1, 0, { pricePerRequestNano: 100 })],
    };
    const r = orderTargets(group, 'lowest-cost', ctx());
    expect(r.order).toEqual(['b', 'a', 'u']);
    expect(r.decision.reason).toBe('lowest-cost: b at most 100 nano-USD');
  });
});

describe('usage-based', () => {
  it('moves targets at or over their rpm/tpm behind the others and orders by utilisation', () => {
    const group = {
      targets: [
        T('full-rpm', 1, 0, { rpmLimit: 10 }),
        T('full-tpm', 1, 0, { tpmLimit: 1000 }),
        T('half', 1, 0, { rpmLimit: 10, tpmLimit: 1000 }),
        T('low', 1, 0, { rpmLimit: 100 }),
      ],
    };
    const s = snap({
      'full-rpm': { usage: { rpm: 10, tpm: 0 } },
      'full-tpm': { usage: { rpm: 0, tpm: 1000 } }, // (1000 + 200) / 1000 = 120%
      half: { usage: { rpm: 4, tpm: 300 } }, // max(5/10, 500/1000) = 50%
      low: { usage: { rpm: 9, tpm: 0 } }, // 10%
    });
    const r = orderTargets(group, 'usage-based', ctx({ snapshot: s, estimatedTokens: 200 }));
    expect(r.order).toEqual(['low', 'half', 'full-rpm', 'full-tpm']); // the over ones by utilisation too: 110% < 120%
    expect(r.decision.skipped).toEqual(
      expect.arrayContaining([
        { id: 'full-rpm', why: 'over_rpm' },
        { id: 'full-tpm', why: 'over_tpm' },
      ]),
    );
    expect(r.decision.skipped).toHaveLength(2);
    expect(r.decision.reason).toMatch(/^usage-based: low at 10% of its limits; .*over rpm.*moved behind$/);
  });

  it('an over-limit target stays behind one exactly at 100% without being over', () => {
    const group = { targets: [T('at-tpm', 1, 0, { tpmLimit: 1000 }), T('edge', 1, 0, { rpmLimit: 10 })] };
    const s = snap({ 'at-tpm': { usage: { rpm: 0, tpm: 1000 } }, edge: { usage: { rpm: 9, tpm: 0 } } }); // both 100%
    for (const r of [0, 0.99]) {
      expect(orderTargets(group, 'usage-based', ctx({ snapshot: s, random: () => r })).order).toEqual(['edge', 'at-tpm']);
    }
  });
});

describe('consistent-hash', () => {
  const five = ['t1', 't2', 't3', 't4', 't5'].map((id) => T(id));
  const first = (targets: BalanceTarget[], key: string): string =>
    orderTargets({ targets }, 'consistent-hash', ctx({ hashKey: key, random: noRandom })).decision.first;

  it('sends a key to the same target whatever the randomness', () => {
    expect(first(five, 'session-1')).toBe(orderTargets({ targets: five }, 'consistent-hash', ctx({ hashKey: 'session-1', random: seeded(9) })).decision.first);
  });

  it('removing one of 5 targets moves only the keys that were on it', () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const before = keys.map((k) => first(five, k));
    const after = keys.map((k) =>
      first(
        five.filter((t) => t.id !== 't3'),
        k,
      ),
    );
    let moved = 0;
    keys.forEach((_, i) => {
      if (before[i] === 't3') {
        expect(after[i]).not.toBe('t3');
        moved++;
      } else expect(after[i]).toBe(before[i]);
    });
    expect(moved).toBeGreaterThan(300); // ~1/5 of the keys, so the test sees some moves
    expect(moved).toBeLessThan(500);
  });

  it('shares keys by weight', () => {
    const targets = [T('a', 1), T('b', 3)];
    const onB = Array.from({ length: 4000 }, (_, i) => first(targets, `k${i}`)).filter((f) => f === 'b').length / 4000;
    expect(onB).toBeGreaterThan(0.72);
    expect(onB).toBeLessThan(0.78);
    expect(hrwScore('k', 'a', 0)).toBe(0);
  });

  it("a breaker-open target is skipped in favour of the key's next HRW choice", () => {
    const key = 'sticky';
    const top = first(five, key);
    const r = orderTargets({ targets: five }, 'consistent-hash', ctx({ hashKey: key, snapshot: snap({ [top]: { breaker: 'open' } }) }));
    expect(r.decision.first).toBe(
      first(
        five.filter((t) => t.id !== top),
        key,
      ),
    );
    expect(r.order[4]).toBe(top);
  });

  it('behaves like weighted random without a key', () => {
    const r = orderTargets({ targets: [T('a'), T('b')] }, 'consistent-hash', ctx({ hashKey: null, random: () => 0.9 }));
    expect(r.order).toEqual(['b', 'a']);
    expect(r.decision.reason).toMatch(/no hash key/);
  });
});

describe('breaker ordering', () => {
  const group = { targets: [T('a', 1, 0), T('b', 1, 0), T('c', 1, 1), T('d', 1, 1)] };
  it.each(ALGORITHMS)('%s: open targets move to the end of the whole order, never removed', (algorithm: Algorithm) => {
    const s = snap({ a: { breaker: 'open' }, c: { breaker: 'open' } });
    const r = orderTargets(group, algorithm, ctx({ snapshot: s, counter: 1, hashKey: 'k' }));
    expect(r.order).toEqual(['b', 'd', 'a', 'c']);
    expect(r.decision.skipped).toEqual([
      { id: 'a', why: 'breaker_open' },
      { id: 'c', why: 'breaker_open' },
    ]);
    expect(r.decision.reason).toMatch(/; breaker open on a, c, moved last$/);
  });

  it('tries every target, tier by tier, when every breaker is open', () => {
    const s = snap({ a: { breaker: 'open' }, b: { breaker: 'open' }, c: { breaker: 'half_open' }, d: { breaker: 'open' } });
    const r = orderTargets(group, 'lowest-cost', ctx({ snapshot: s }));
    expect(r.order).toHaveLength(4);
    expect(r.order.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(r.order.slice(2).sort()).toEqual(['c', 'd']);
    expect(r.decision.first).toBe(r.order[0]);
    expect(r.decision.reason).toMatch(/every breaker is open, all tried in order$/);
  });

  it('puts a half-open target first in its tier only for the probe holder', () => {
    const s = snap({ d: { breaker: 'half_open' } });
    const withoutLease = orderTargets(group, 'priority', ctx({ snapshot: s, random: () => 0 }));
    expect(withoutLease.order).toEqual(['a', 'b', 'c', 'd']);
    expect(withoutLease.decision.skipped).toEqual([{ id: 'd', why: 'breaker_open' }]);
    const holder = orderTargets(group, 'priority', ctx({ snapshot: s, random: () => 0, probeGranted: new Set(['d']) }));
    expect(holder.order).toEqual(['a', 'b', 'd', 'c']);
    // granted through the snapshot too; first of the whole order when in the first tier
    const s2 = snap({ b: { breaker: 'half_open', probeGranted: true } });
    const r = orderTargets(group, 'priority', ctx({ snapshot: s2, random: () => 0 }));
    expect(r.order).toEqual(['b', 'a', 'c', 'd']);
    expect(r.decision.reason).toBe('probe: b is half-open and this request holds its probe lease');
  });
});

describe('snapshot needs', () => {
  it('asks only for what the algorithm reads', () => {
    expect(snapshotNeeds('lowest-latency')).toEqual({ breaker: true, latency: true, inFlight: false, usage: false });
    expect(snapshotNeeds('least-in-flight')).toMatchObject({ inFlight: true, latency: false });
    expect(snapshotNeeds('usage-based')).toMatchObject({ usage: true });
    expect(snapshotNeeds('priority')).toEqual({ breaker: true, latency: false, inFlight: false, usage: false });
  });
});
