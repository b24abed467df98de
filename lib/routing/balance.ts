/**
 * Orders a model group's targets for one request (pure: the snapshot comes from TargetStats,
 * randomness and the round-robin counter are injected). Rules, in order:
 *  1. priority tiers: a lower `priority` value is tried first, always;
 *  2. within a tier, the half-open target whose probe lease this caller holds goes first (one
 *     request at a time tests a recovering target), then the healthy targets in the algorithm's
 *     order;
 *  3. open targets (and half-open ones this caller does not probe) move to the end of the whole
 *     order, tier by tier; they are never removed, so when every breaker is open every target is
 *     still tried, in order (Kong answers 500 there).
 * Ties are broken by a weighted random order, so equal targets share traffic by weight.
 */
import { createHash } from 'node:crypto';
import type { SnapshotNeeds, TargetSnapshot } from './target-stats';

export const ALGORITHMS = ['weighted-round-robin', 'least-in-flight', 'lowest-latency', 'lowest-cost', 'usage-based', 'consistent-hash', 'priority'] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

export interface BalanceTarget {
  /** targetId() of the target. */
  id: string;
  /** Share of traffic within its tier; 0 = only when the others are tried. */
  weight: number;
  /** Tier: lower values are tried first. */
  priority: number;
  /** Worst-case price of this request on this target (nano-USD); null/absent = unknown (ranked last by lowest-cost). */
  pricePerRequestNano?: number | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

export interface BalanceContext {
  /** Per-target stats (TargetStats.snapshot().targets); a missing target counts as closed with no data. */
  snapshot: ReadonlyMap<string, TargetSnapshot>;
  /** consistent-hash: the value to hash (e.g. a session header); null/absent = weighted random. */
  hashKey?: string | null;
  /** weighted-round-robin: the group's shared counter (INCR); absent = weighted random. */
  counter?: number;
  random: () => number;
  /** Tokens this request is expected to produce (lowest-latency) and consume (usage-based tpm). */
  estimatedTokens: number;
  /** Half-open targets whose probe lease this caller holds (also read from snapshot.probeGranted). */
  probeGranted?: ReadonlySet<string>;
}

export type SkipReason = 'breaker_open' | 'over_rpm' | 'over_tpm';

export interface RoutingDecision {
  algorithm: Algorithm;
  /** One short sentence for logs, e.g. "lowest-latency: a ttft 120 ms + 40×8 ms". */
  reason: string;
  first: string;
  /** Targets moved back (not removed): breaker open, or at/over their rpm/tpm (usage-based). */
  skipped: Array<{ id: string; why: SkipReason }>;
}

export interface BalanceResult {
  /** Every target id of the group, in the order to try them. */
  order: string[];
  decision: RoutingDecision;
}

/** What TargetStats.snapshot must read for `algorithm` (the breaker always; add probe/wrrGroup yourself). */
export function snapshotNeeds(algorithm: Algorithm): SnapshotNeeds {
  return {
    breaker: true,
    latency: algorithm === 'lowest-latency',
    inFlight: algorithm === 'least-in-flight',
    usage: algorithm === 'usage-based',
  };
}

/**
 * Orders `group.targets` for one request.
 * @throws when the group has no target.
 */
export function orderTargets(group: { targets: readonly BalanceTarget[] }, algorithm: Algorithm, ctx: BalanceContext): BalanceResult {
  if (group.targets.length === 0) throw new Error('model group has no target');
  const front: BalanceTarget[] = [];
  const back: BalanceTarget[] = [];
  const skipped: RoutingDecision['skipped'] = [];
  let reason: string | null = null;
  let backReason: string | null = null;
  const tiers = [...new Set(group.targets.map((t) => t.priority))].sort((a, b) => a - b);
  for (const tier of tiers) {
    const members = group.targets.filter((t) => t.priority === tier);
    const probes: BalanceTarget[] = [];
    const blocked: BalanceTarget[] = [];
    const healthy: BalanceTarget[] = [];
    for (const t of members) {
      const s = ctx.snapshot.get(t.id);
      const state = s?.breaker ?? 'closed';
      const granted = ctx.probeGranted?.has(t.id) === true || s?.probeGranted === true;
      if (state === 'half_open' && granted) probes.push(t);
      else if (state === 'closed') healthy.push(t);
      else blocked.push(t);
    }
    for (const t of blocked) skipped.push({ id: t.id, why: 'breaker_open' });
    const ranked = healthy.length > 0 ? rank(healthy, algorithm, ctx) : null;
    if (ranked) skipped.push(...ranked.skipped);
    if (reason === null && probes.length > 0) reason = `probe: ${probes[0].id} is half-open and this request holds its probe lease`;
    if (reason === null && ranked) reason = ranked.why;
    front.push(...probes, ...(ranked?.order ?? []));
    if (blocked.length > 0) {
      const b = rank(blocked, algorithm, ctx);
      if (backReason === null) backReason = b.why;
      back.push(...b.order);
    }
  }
  const order = [...front, ...back].map((t) => t.id);
  const open = skipped.filter((s) => s.why === 'breaker_open').map((s) => s.id);
  if (front.length === 0) reason = `${backReason}; every breaker is open, all tried in order`;
  else if (open.length > 0) reason = `${reason}; breaker open on ${open.join(', ')}, moved last`;
  return { order, decision: { algorithm, reason: reason!, first: order[0], skipped } };
}

interface Ranked {
  order: BalanceTarget[];
  /** Why order[0] is first. */
  why: string;
  skipped: RoutingDecision['skipped'];
}

function rank(items: BalanceTarget[], algorithm: Algorithm, ctx: BalanceContext): Ranked {
  switch (algorithm) {
    case 'weighted-round-robin':
      return byRoundRobin(items, ctx);
    case 'least-in-flight':
      return byInFlight(items, ctx);
    case 'lowest-latency':
      return byLatency(items, ctx);
    case 'lowest-cost':
      return byCost(items, ctx);
    case 'usage-based':
      return byUsage(items, ctx);
    case 'consistent-hash':
      return byHash(items, ctx);
    case 'priority': {
      const order = weightedOrder(items, ctx.random);
      return { order, why: `priority: tier ${items[0].priority}, weighted random picked ${order[0].id}`, skipped: [] };
    }
    default:
      throw new Error(`unknown balancing algorithm ${String(algorithm)}`);
  }
}

function weightOf(t: BalanceTarget): number {
  return Number.isFinite(t.weight) && t.weight > 0 ? t.weight : 0;
}

/** Weighted random order without replacement; zero-weight targets last, in config order. */
export function weightedOrder<T extends BalanceTarget>(items: readonly T[], random: () => number): T[] {
  const pool = items.filter((t) => weightOf(t) > 0);
  const ordered: T[] = [];
  while (pool.length > 0) {
    const total = pool.reduce((sum, t) => sum + weightOf(t), 0);
    let pick = random() * total;
    let i = 0;
    while (i < pool.length - 1 && pick >= weightOf(pool[i])) pick -= weightOf(pool[i++]);
    ordered.push(pool.splice(i, 1)[0]);
  }
  return [...ordered, ...items.filter((t) => weightOf(t) === 0)];
}

/** Stable sort of a weighted random base order: ties keep the weighted random order. */
function sortedBy(items: BalanceTarget[], ctx: BalanceContext, cmp: (a: BalanceTarget, b: BalanceTarget) => number): BalanceTarget[] {
  return weightedOrder(items, ctx.random).sort(cmp);
}

function ms(n: number): string {
  return n >= 10 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}

// ---- weighted round-robin ---------------------------------------------------------------------

const MAX_WRR_TOTAL = 1000;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Integer weights reduced by their gcd and scaled down to a bounded period (bounded CPU per request). */
function wrrWeights(items: BalanceTarget[]): number[] {
  let w = items.map((t) => Math.round(weightOf(t)));
  if (w.every((x) => x === 0)) w = items.map((t) => (weightOf(t) > 0 ? 1 : 0));
  const g = w.reduce((a, b) => gcd(a, b), 0);
  w = w.map((x) => x / g);
  const total = w.reduce((a, b) => a + b, 0);
  if (total > MAX_WRR_TOTAL) w = w.map((x) => (x === 0 ? 0 : Math.max(1, Math.round((x * MAX_WRR_TOTAL) / total))));
  return w;
}

/**
 * nginx's smooth weighted round-robin, replayed from a zero state to step `counter mod total`:
 * the same counter gives the same pick on every node, and consecutive counters interleave picks
 * (weights 3:1 → a a b a). The rest of the order continues the sequence (distinct targets).
 */
function byRoundRobin(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  if (ctx.counter === undefined || !Number.isSafeInteger(ctx.counter)) {
    const order = weightedOrder(items, ctx.random);
    return { order, why: `weighted-round-robin: no counter, weighted random picked ${order[0].id}`, skipped: [] };
  }
  const w = wrrWeights(items);
  const positive = w.filter((x) => x > 0).length;
  if (positive === 0) return { order: [...items], why: `weighted-round-robin: every weight is 0, config order`, skipped: [] };
  const total = w.reduce((a, b) => a + b, 0);
  const step = ((ctx.counter % total) + total) % total;
  const cur = w.map(() => 0);
  const next = (): number => {
    let best = 0;
    for (let i = 0; i < w.length; i++) {
      cur[i] += w[i];
      if (cur[i] > cur[best]) best = i;
    }
    cur[best] -= total;
    return best;
  };
  for (let s = 0; s < step; s++) next();
  const seen: number[] = [];
  for (let s = 0; s < total && seen.length < positive; s++) {
    const i = next();
    if (!seen.includes(i)) seen.push(i);
  }
  const order = [...seen.map((i) => items[i]), ...items.filter((_, i) => !seen.includes(i))];
  return { order, why: `weighted-round-robin: counter ${ctx.counter} → ${order[0].id} (weights ${w.join(':')})`, skipped: [] };
}

// ---- least in flight --------------------------------------------------------------------------

/** (inFlight + 1) / weight, compared by cross-multiplication: a weight-3 target carries 3× the concurrency. */
function byInFlight(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  const n = (t: BalanceTarget): number => ctx.snapshot.get(t.id)?.inFlight ?? 0;
  const order = sortedBy(items, ctx, (a, b) => {
    const wa = weightOf(a);
    const wb = weightOf(b);
    if (wa === 0 || wb === 0) return (wa === 0 ? 1 : 0) - (wb === 0 ? 1 : 0);
    return (n(a) + 1) * wb - (n(b) + 1) * wa;
  });
  const f = order[0];
  return { order, why: `least-in-flight: ${f.id} has ${n(f)} in flight (weight ${weightOf(f)})`, skipped: [] };
}

// ---- lowest latency ---------------------------------------------------------------------------

/**
 * Expected time = ttft + estimatedTokens × perToken (perToken unknown counts 0). Targets with no
 * stats yet rank FIRST, so a new or long-idle target is explored and earns stats instead of being
 * starved by a known-good one; a target that fails before its first token never gets stats, which
 * the breaker handles.
 */
function byLatency(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  const lat = (t: BalanceTarget) => ctx.snapshot.get(t.id)?.latency ?? null;
  const expected = (t: BalanceTarget): number => {
    const l = lat(t);
    return l ? l.ttftMs + ctx.estimatedTokens * (l.perTokenMs ?? 0) : -1;
  };
  const order = sortedBy(items, ctx, (a, b) => expected(a) - expected(b));
  const f = order[0];
  const l = lat(f);
  const why = l
    ? `lowest-latency: ${f.id} ttft ${ms(l.ttftMs)} ms + ${ctx.estimatedTokens}×${ms(l.perTokenMs ?? 0)} ms`
    : `lowest-latency: ${f.id} has no latency stats yet, explored first`;
  return { order, why, skipped: [] };
}

// ---- lowest cost ------------------------------------------------------------------------------

/** By the request's worst-case price; unknown prices last (never assumed free). */
function byCost(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  const price = (t: BalanceTarget): number =>
    typeof t.pricePerRequestNano === 'number' && Number.isFinite(t.pricePerRequestNano) ? t.pricePerRequestNano : Infinity;
  const order = sortedBy(items, ctx, (a, b) => {
    const pa = price(a);
    const pb = price(b);
    return pa === pb ? 0 : pa < pb ? -1 : 1;
  });
  const f = order[0];
  const why = price(f) === Infinity ? `lowest-cost: no price known, weighted random picked ${f.id}` : `lowest-cost: ${f.id} at most ${price(f)} nano-USD`;
  return { order, why, skipped: [] };
}

// ---- usage based ------------------------------------------------------------------------------

/**
 * Keeps each target under its rpm/tpm: a target that this request would take over a limit (rpm
 * already at the limit, or tpm + estimatedTokens above it) moves behind those under; each group
 * is ordered by utilisation, the highest fraction of a limit this request would reach (no limit
 * = 0).
 */
function byUsage(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  const est = Math.max(0, ctx.estimatedTokens);
  const info = new Map(
    items.map((t) => {
      const u = ctx.snapshot.get(t.id)?.usage ?? { rpm: 0, tpm: 0 };
      const rl = t.rpmLimit ?? null;
      const tl = t.tpmLimit ?? null;
      const overRpm = rl !== null && u.rpm + 1 > rl;
      const overTpm = tl !== null && (u.tpm >= tl || u.tpm + est > tl);
      const util = Math.max(rl !== null ? (u.rpm + 1) / Math.max(rl, 1e-9) : 0, tl !== null ? (u.tpm + est) / Math.max(tl, 1e-9) : 0);
      const why: SkipReason | null = overRpm ? 'over_rpm' : overTpm ? 'over_tpm' : null;
      return [t.id, { util, why }] as const;
    }),
  );
  const order = sortedBy(items, ctx, (a, b) => {
    const ia = info.get(a.id)!;
    const ib = info.get(b.id)!;
    const oa = ia.why ? 1 : 0;
    const ob = ib.why ? 1 : 0;
    return oa !== ob ? oa - ob : ia.util - ib.util;
  });
  const skipped = order.filter((t) => info.get(t.id)!.why).map((t) => ({ id: t.id, why: info.get(t.id)!.why! }));
  const f = order[0];
  const fi = info.get(f.id)!;
  let why = fi.why
    ? `usage-based: every target is at its limits, ${f.id} is least over (${Math.round(fi.util * 100)}%)`
    : f.rpmLimit == null && f.tpmLimit == null
      ? `usage-based: ${f.id} has no rpm/tpm limit`
      : `usage-based: ${f.id} at ${Math.round(fi.util * 100)}% of its limits`;
  if (!fi.why && skipped.length > 0) why += `; ${skipped.map((s) => `${s.id} ${s.why.replace('_', ' ')}`).join(', ')}, moved behind`;
  return { order, why, skipped };
}

// ---- consistent hash --------------------------------------------------------------------------

/**
 * Weighted rendezvous (HRW) hashing: each target scores weight / −ln(u), u uniform in (0,1) from
 * sha256(key, id); highest first. A key keeps its target while the target set does not change,
 * and removing a target moves only the keys that were on it (everyone else's top score is
 * unchanged). The full order is the HRW ranking, so failover is sticky too.
 */
function byHash(items: BalanceTarget[], ctx: BalanceContext): Ranked {
  const key = ctx.hashKey;
  if (key === null || key === undefined || key === '') {
    const order = weightedOrder(items, ctx.random);
    return { order, why: `consistent-hash: no hash key, weighted random picked ${order[0].id}`, skipped: [] };
  }
  const score = new Map(items.map((t) => [t.id, hrwScore(key, t.id, weightOf(t))]));
  const order = [...items].sort((a, b) => score.get(b.id)! - score.get(a.id)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // the key itself may identify a user: the reason names only the target
  return { order, why: `consistent-hash: the request's hash key maps to ${order[0].id}`, skipped: [] };
}

/** Exported for tests: the weighted rendezvous score of `id` for `key`. */
export function hrwScore(key: string, id: string, weight: number): number {
  if (!(weight > 0)) return 0;
  const h = createHash('sha256').update(key).update('\0').update(id).digest();
  const u = (h.readUIntBE(0, 6) + 0.5) / 2 ** 48;
  return weight / -Math.log(u);
}
