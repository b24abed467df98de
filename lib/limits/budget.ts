/**
 * Reservation-based budgets in Redis. Before a call, reserve() adds the worst-case cost to every
 * subject's (key and team) current window in ONE script, only if it fits all of them; after the
 * call settle() replaces the reservation with the actual cost, refund() drops it for a failed
 * call, and reservations never settled are refunded when they expire (swept inside the scripts,
 * no timer). Counters start cold: reserve/settle answer `needs_init` and the caller seeds the
 * window from the PostgreSQL ledger with initWindow() (set-if-absent) and retries —
 * reserveWithInit/settleWithInit do that loop.
 *
 * Guarantee: for every subject and window, spent + reserved ≤ max after each reserve, so with
 * actual ≤ reserved the spend never exceeds the budget, however many nodes reserve at once.
 * Money is integer nano-USD (safe integers: up to about 9 million USD per counter).
 */
import type { BudgetPolicy, BudgetSubject } from '../identity';
import { INIT_LUA, REFUND_LUA, RESERVE_LUA, SETTLE_LUA, STATUS_LUA } from './lua/budget';
import { budgetKeys, scopeFor, scopeOf } from './redis-keys';
import { int, LuaScript, type ScriptClient } from './script';
import { type BudgetWindow, budgetWindow } from './windows';

const RESERVE = new LuaScript('aigw-budget-reserve', RESERVE_LUA);
const SETTLE = new LuaScript('aigw-budget-settle', SETTLE_LUA);
const REFUND = new LuaScript('aigw-budget-refund', REFUND_LUA);
const INIT = new LuaScript('aigw-budget-init', INIT_LUA);
const STATUS = new LuaScript('aigw-budget-status', STATUS_LUA);

export interface BudgetLimiterOptions {
  /** How long a finished (or expired) reservation record is kept so retries stay idempotent and a late settle finds its windows. Default 24 h. */
  recordRetentionMs?: number;
  /** How long a window counter outlives its window end (late settles, status of the last window). Default 48 h. */
  counterRetentionMs?: number;
  /** Most expired reservations refunded per script call. Default 100. */
  sweepLimit?: number;
}

export interface ReserveRequest {
  /** Unique per request (the Kong request id). Reserving the same id again is a no-op. */
  requestId: string;
  /** Worst-case cost, integer nano-USD ≥ 0. */
  amountNano: number;
  /** Key and/or team budgets of the request, each with its current window (see budgetSubject). At most one team. */
  subjects: BudgetSubject[];
  /** After this long an unsettled reservation is refunded. */
  ttlMs: number;
  /** Epoch ms; defaults to Date.now(). */
  now?: number;
}

export type ReserveResult =
  /** Reserved against every subject (duplicate: this request id already held a live reservation). */
  | { ok: true; duplicate: boolean }
  /** Refused: `subject` (the one with least room) cannot take the amount; nothing was reserved anywhere. */
  | { ok: false; reason: 'over_budget'; subject: BudgetSubject; remainingNano: number }
  /** These subjects' windows have no counter yet: initWindow() each from the ledger, then retry. */
  | { ok: false; reason: 'needs_init'; needsInit: BudgetSubject[] }
  /** This request id was already settled, refunded or expired; a finished request cannot reserve again. */
  | { ok: false; reason: 'finished'; state: string };

export interface SettleRequest {
  requestId: string;
  /** Actual cost, integer nano-USD ≥ 0. Normally ≤ the reserved amount; more is recorded as spent anyway. */
  actualNano: number;
  /**
   * The request's subjects with their CURRENT windows (same key/team as at reserve). They locate
   * the reservation (hash-tag scope) and, when no reservation record exists (never made, or its
   * record retention passed), receive the spend directly so it is never lost. [] = locate nothing.
   */
  subjects: BudgetSubject[];
  now?: number;
}

/**
 * - settled: a live reservation was replaced by the actual cost (found).
 * - late: the reservation had expired (already refunded) or been refunded; the actual cost was
 *   added to the windows it had reserved in.
 * - unreserved: no reservation record; the actual cost was added to the subjects' current windows.
 * - duplicate: this request was already settled; nothing changed.
 * - unrecorded: no record and no subjects; nothing could be charged.
 */
export type SettleResult =
  | { ok: true; outcome: 'settled' | 'late' | 'unreserved' | 'duplicate' | 'unrecorded'; found: boolean; charged: boolean }
  | { ok: false; reason: 'needs_init'; needsInit: BudgetSubject[] };

export interface RefundRequest {
  requestId: string;
  /** Same subjects as reserve (only used to locate the reservation). */
  subjects: BudgetSubject[];
  now?: number;
}

export interface BudgetStatus {
  /** False when the window has no counter yet (spent/reserved read as 0 until initWindow). */
  initialised: boolean;
  spentNano: number;
  reservedNano: number;
  /** max − spent − reserved, never below 0. */
  remainingNano: number;
  window: BudgetWindow;
}

/** Loads a subject's spend in its window from the ledger (PostgreSQL), integer nano-USD. */
export type LedgerSpendLoader = (subject: BudgetSubject) => Promise<number>;

/**
 * The BudgetSubject of a key or team policy at `now`, or null when it has no budget.
 * @throws on an invalid budgetDuration or anchor.
 */
export function budgetSubject(kind: 'key' | 'team', id: string, policy: BudgetPolicy, now: number = Date.now()): BudgetSubject | null {
  if (policy.maxBudgetNano === null) return null;
  const w = budgetWindow(policy.budgetAnchor, policy.budgetDuration, now);
  return { kind, id, maxNano: policy.maxBudgetNano, periodStart: w.start, periodEnd: w.end };
}

export class BudgetLimiter {
  private readonly recordRetentionMs: number;
  private readonly counterRetentionMs: number;
  private readonly sweepLimit: number;

  constructor(
    private readonly redis: ScriptClient,
    opts: BudgetLimiterOptions = {},
  ) {
    this.recordRetentionMs = opts.recordRetentionMs ?? 24 * 3_600_000;
    this.counterRetentionMs = opts.counterRetentionMs ?? 48 * 3_600_000;
    this.sweepLimit = opts.sweepLimit ?? 100;
  }

  /** Atomically reserves `amountNano` against every subject, or against none. */
  async reserve(req: ReserveRequest): Promise<ReserveResult> {
    if (req.subjects.length === 0) return { ok: true, duplicate: false };
    const now = req.now ?? Date.now();
    if (!(req.ttlMs > 0)) throw new Error('ttlMs must be > 0');
    const scope = scopeOf(req.subjects);
    const keys = [budgetKeys.expiries(scope), budgetKeys.record(scope, req.requestId), ...this.counterKeys(scope, req.subjects)];
    const args = [
      int(now, 'now'),
      req.requestId,
      int(nonNegative(req.amountNano, 'amountNano'), 'amountNano'),
      int(now + req.ttlMs, 'expiresAt'),
      int(this.recordRetentionMs, 'recordRetentionMs'),
      budgetKeys.recordPrefix(scope),
      int(this.sweepLimit, 'sweepLimit'),
      ...req.subjects.map((s) => int(s.maxNano, 'maxNano')),
    ];
    const r = (await RESERVE.run(this.redis, keys, args)) as Array<string | number>;
    switch (r[0]) {
      case 'ok':
        return { ok: true, duplicate: false };
      case 'dup':
        return { ok: true, duplicate: true };
      case 'finished':
        return { ok: false, reason: 'finished', state: String(r[1]) };
      case 'init':
        return { ok: false, reason: 'needs_init', needsInit: r.slice(1).map((i) => req.subjects[Number(i) - 1]) };
      case 'over':
        return { ok: false, reason: 'over_budget', subject: req.subjects[Number(r[1]) - 1], remainingNano: Number(r[2]) };
      default:
        throw new Error(`unexpected reserve reply ${JSON.stringify(r)}`);
    }
  }

  /**
   * Replaces the reservation with the actual cost (refunding the difference). Idempotent: a
   * second settle of the same request changes nothing. See SettleResult for the outcomes.
   */
  async settle(req: SettleRequest): Promise<SettleResult> {
    if (req.subjects.length === 0) return { ok: true, outcome: 'unrecorded', found: false, charged: false };
    const now = req.now ?? Date.now();
    const scope = scopeOf(req.subjects);
    const keys = [budgetKeys.expiries(scope), budgetKeys.record(scope, req.requestId), ...this.counterKeys(scope, req.subjects)];
    const args = [
      int(now, 'now'),
      req.requestId,
      int(nonNegative(req.actualNano, 'actualNano'), 'actualNano'),
      int(this.recordRetentionMs, 'recordRetentionMs'),
      budgetKeys.recordPrefix(scope),
      int(this.sweepLimit, 'sweepLimit'),
    ];
    const r = (await SETTLE.run(this.redis, keys, args)) as Array<string | number>;
    switch (r[0]) {
      case 'settled':
        return { ok: true, outcome: 'settled', found: true, charged: true };
      case 'late':
        return { ok: true, outcome: 'late', found: false, charged: true };
      case 'unreserved':
        return { ok: true, outcome: 'unreserved', found: false, charged: true };
      case 'dup':
        return { ok: true, outcome: 'duplicate', found: false, charged: false };
      case 'lost':
        return { ok: true, outcome: 'unrecorded', found: false, charged: false };
      case 'init':
        return { ok: false, reason: 'needs_init', needsInit: r.slice(1).map((i) => req.subjects[Number(i) - 1]) };
      default:
        throw new Error(`unexpected settle reply ${JSON.stringify(r)}`);
    }
  }

  /**
   * Releases a live reservation in full (the call failed, or the reserve itself failed or timed
   * out and may still run: it then reserves nothing). Idempotent; returns whether one was released.
   */
  async refund(req: RefundRequest): Promise<{ found: boolean }> {
    if (req.subjects.length === 0) return { found: false };
    const now = req.now ?? Date.now();
    const scope = scopeOf(req.subjects);
    const r = (await REFUND.run(
      this.redis,
      [budgetKeys.expiries(scope), budgetKeys.record(scope, req.requestId)],
      [int(now, 'now'), req.requestId, int(this.recordRetentionMs, 'recordRetentionMs'), budgetKeys.recordPrefix(scope), int(this.sweepLimit, 'sweepLimit')],
    )) as Array<string | number>;
    return { found: r[0] === 'refunded' };
  }

  /**
   * Seeds a subject's window counter with the spend rebuilt from the ledger, only if it does not
   * exist yet (concurrent initialisers agree on the first value). Returns whether this call created it.
   * The counter lives until periodEnd + counterRetentionMs by the caller's clock (forever if periodEnd is null).
   * @param teamId the team of the request (for a key subject; locates its hash-tag scope), null if none
   */
  async initWindow(subject: BudgetSubject, spentNano: number, teamId: string | null, now: number = Date.now()): Promise<boolean> {
    const scope = scopeFor(subject, teamId);
    // relative TTL (not PEXPIREAT) so it follows the same clock as the windows
    const ttl = subject.periodEnd === null ? 0 : Math.max(1_000, subject.periodEnd + this.counterRetentionMs - now);
    const r = await INIT.run(
      this.redis,
      [budgetKeys.counter(scope, subject, subject.periodStart)],
      [int(nonNegative(spentNano, 'spentNano'), 'spentNano'), int(ttl, 'ttl')],
    );
    return Number(r) === 1;
  }

  /**
   * Spent, reserved and remaining of the subject's window (subject.periodStart/End; compute it for
   * `now` with budgetSubject). Sweeps expired reservations of the scope first so `reserved` is current.
   * @param teamId the key's team (null if none); ignored for a team subject
   */
  async status(subject: BudgetSubject, teamId: string | null, now: number = Date.now()): Promise<BudgetStatus> {
    const scope = scopeFor(subject, teamId);
    const r = (await STATUS.run(
      this.redis,
      [budgetKeys.expiries(scope), budgetKeys.counter(scope, subject, subject.periodStart)],
      [int(now, 'now'), budgetKeys.recordPrefix(scope), int(this.sweepLimit, 'sweepLimit'), int(this.recordRetentionMs, 'recordRetentionMs')],
    )) as [number, string, string];
    const spentNano = Number(r[1]);
    const reservedNano = Number(r[2]);
    return {
      initialised: Number(r[0]) === 1,
      spentNano,
      reservedNano,
      remainingNano: Math.max(0, subject.maxNano - spentNano - reservedNano),
      window: { start: subject.periodStart, end: subject.periodEnd },
    };
  }

  /** reserve(), seeding cold windows from the ledger and retrying (bounded: a counter evicted again and again is an error). */
  async reserveWithInit(req: ReserveRequest, loadSpent: LedgerSpendLoader): Promise<Exclude<ReserveResult, { reason: 'needs_init' }>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.reserve(req);
      if (r.ok || r.reason !== 'needs_init') return r;
      await this.initAll(r.needsInit, req.subjects, loadSpent, req.now ?? Date.now());
    }
    throw new Error('budget windows could not be initialised');
  }

  /** settle(), seeding cold windows from the ledger and retrying. */
  async settleWithInit(req: SettleRequest, loadSpent: LedgerSpendLoader): Promise<Exclude<SettleResult, { ok: false }>> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const r = await this.settle(req);
      if (r.ok) return r;
      await this.initAll(r.needsInit, req.subjects, loadSpent, req.now ?? Date.now());
    }
    throw new Error('budget windows could not be initialised');
  }

  private async initAll(cold: BudgetSubject[], all: BudgetSubject[], loadSpent: LedgerSpendLoader, now: number): Promise<void> {
    const teamId = all.find((s) => s.kind === 'team')?.id ?? null;
    await Promise.all(cold.map(async (s) => this.initWindow(s, await loadSpent(s), teamId, now)));
  }

  private counterKeys(scope: string, subjects: BudgetSubject[]): string[] {
    const keys = subjects.map((s) => budgetKeys.counter(scope, s, s.periodStart));
    // a subject listed twice would be charged twice
    if (new Set(keys).size !== keys.length) throw new Error('duplicate budget subject');
    return keys;
  }
}

function nonNegative(n: number, what: string): number {
  if (!(n >= 0)) throw new Error(`${what} must be ≥ 0, got ${n}`);
  return n;
}
