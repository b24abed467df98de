/**
 * Shared per-target health and load in Redis, read by aigw-proxy to order a plan and written by
 * the relay after each attempt: circuit breaker (with a single half-open probe), latency EWMA,
 * in-flight leases and rpm/tpm usage. Keys: `aigw:{tgt:<id>}:…` (see redis-keys.ts). No timers: every
 * expiry is a score or a TTL checked against the `now` the caller passes.
 */
import type { FailureKind } from '../failure';
import { int, LuaScript, type ScriptClient, whenReady } from '../limits/script';
import { BEGIN_LUA, LATENCY_LUA, OUTCOME_LUA, PROBE_LUA, SNAPSHOT_LUA, USAGE_LUA } from './lua';
import { targetKeys, wrrCounterKey } from './redis-keys';

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface Latency {
  /** EWMA of time to first token, ms (µs precision). */
  ttftMs: number;
  /** EWMA of time per output token after the first, ms; null until a stream measured one. */
  perTokenMs: number | null;
  /** When the last sample was recorded (caller's clock, ms). */
  updatedAt: number;
}

export interface Usage {
  /** Requests recorded in the last 60 s (one-second buckets). */
  rpm: number;
  /** Tokens recorded in the last 60 s. */
  tpm: number;
}

/** What one target looked like at `now`; a field is absent when its need was not asked. */
export interface TargetSnapshot {
  breaker?: BreakerState;
  /** Open-until (ms) when open or half-open, else 0. */
  openUntil?: number;
  /** This caller holds the half-open probe lease (only with needs.probe). */
  probeGranted?: boolean;
  /** null = no sample yet (or forgotten after latencyTtlMs). */
  latency?: Latency | null;
  inFlight?: number;
  usage?: Usage;
}

export interface SnapshotNeeds {
  breaker?: boolean;
  latency?: boolean;
  inFlight?: boolean;
  usage?: boolean;
  /**
   * Take the probe lease of every half-open target for `holder` in the same trip (implies breaker).
   * The holder should report the outcome with the same `requestId` so the lease frees at once.
   */
  probe?: { holder: string; leaseMs: number };
  /** INCR this model group's shared round-robin counter in the same trip (for weighted-round-robin). */
  wrrGroup?: string;
}

export interface Snapshot {
  targets: Map<string, TargetSnapshot>;
  /** The group's counter after INCR, when needs.wrrGroup was given. */
  counter?: number;
}

export interface OutcomeResult {
  state: BreakerState;
  previous: BreakerState;
  /** state !== previous: count it as a transition metric. (open → half_open is reached by time, never reported here.) */
  changed: boolean;
  /** Open-until (ms) when open, else 0. */
  openUntil: number;
}

export interface TargetStatsOptions {
  /** Breaker sliding window, ms. Default 30 000. */
  windowMs?: number;
  /** Failures in the window that open the breaker. Default 5. */
  threshold?: number;
  /** First cooldown, ms. Default 30 000. */
  cooldownMs?: number;
  /** A failed probe multiplies the cooldown by this (1 = constant). Default 2. */
  cooldownFactor?: number;
  /** Cap of the grown cooldown, ms. Default 300 000. */
  maxCooldownMs?: number;
  /**
   * A success while closed cancels the oldest failure in the window, so the breaker opens when
   * failures outnumber successes by `threshold` within the window: a busy target with a low
   * error rate never trips (Kong counts total failures), a dead one trips after `threshold`.
   * Default true; false = plain count of failures in the window.
   */
  successForgives?: boolean;
  /** EWMA weight of a new sample, 0 < alpha ≤ 1. Default 0.3. */
  alpha?: number;
  /** Latency stats are forgotten after this long without a sample (the target is explored again). Default 1 h. */
  latencyTtlMs?: number;
  /** How long an opened breaker's hash outlives its cooldown (to remember the grown cooldown). Default 1 h. */
  breakerRetainMs?: number;
  /**
   * 'auto' (default): one pipeline on a single Redis; on a Cluster (`isCluster`) one script per
   * target sent at once, since a pipeline cannot span slots there (ioredis writes them together
   * per node, so it is one round trip per node, in parallel).
   */
  batching?: 'auto' | 'pipeline' | 'parallel';
}

/** Minimal pipeline of ioredis (Redis.pipeline()). */
export interface PipelineLike {
  evalsha(sha: string, numKeys: number, ...args: Array<string | number>): unknown;
  eval(script: string, numKeys: number, ...args: Array<string | number>): unknown;
  incr(key: string): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
}

/** The subset of an ioredis client (Redis or Cluster) TargetStats uses. */
export interface StatsClient extends ScriptClient {
  incr(key: string): Promise<number>;
  zrem(key: string, ...members: string[]): Promise<number>;
  pipeline?(): PipelineLike;
  isCluster?: boolean;
}

/** Kinds that say the target is unhealthy or unusable; the rest are the caller's or the content's. */
export const BREAKER_FAILURE_KINDS: ReadonlySet<FailureKind> = new Set<FailureKind>([
  'unreachable',
  'timeout',
  'rate_limit',
  'server',
  'stream_cut',
  'auth',
  'config',
]);

const OUTCOME = new LuaScript('aigw-tgt-outcome', OUTCOME_LUA);
const PROBE = new LuaScript('aigw-tgt-probe', PROBE_LUA);
const LATENCY = new LuaScript('aigw-tgt-latency', LATENCY_LUA);
const BEGIN = new LuaScript('aigw-tgt-begin', BEGIN_LUA);
const USAGE = new LuaScript('aigw-tgt-usage', USAGE_LUA);
const SNAPSHOT = new LuaScript('aigw-tgt-snapshot', SNAPSHOT_LUA);

const STATES: ReadonlySet<string> = new Set(['closed', 'open', 'half_open']);

function toState(v: unknown): BreakerState {
  const s = String(v);
  if (!STATES.has(s)) throw new Error(`unexpected breaker state ${s}`);
  return s as BreakerState;
}

export class TargetStats {
  readonly opts: Required<TargetStatsOptions>;

  constructor(
    private readonly redis: StatsClient,
    opts: TargetStatsOptions = {},
  ) {
    this.opts = {
      windowMs: opts.windowMs ?? 30_000,
      threshold: opts.threshold ?? 5,
      cooldownMs: opts.cooldownMs ?? 30_000,
      cooldownFactor: opts.cooldownFactor ?? 2,
      maxCooldownMs: opts.maxCooldownMs ?? 300_000,
      successForgives: opts.successForgives ?? true,
      alpha: opts.alpha ?? 0.3,
      latencyTtlMs: opts.latencyTtlMs ?? 3_600_000,
      breakerRetainMs: opts.breakerRetainMs ?? 3_600_000,
      batching: opts.batching ?? 'auto',
    };
    const o = this.opts;
    if (!(o.windowMs > 0 && o.threshold >= 1 && o.cooldownMs > 0 && o.maxCooldownMs >= o.cooldownMs)) throw new Error('invalid breaker options');
    if (!(o.cooldownFactor >= 1 && Number.isInteger(o.cooldownFactor))) throw new Error('cooldownFactor must be an integer ≥ 1');
    if (!(o.alpha > 0 && o.alpha <= 1)) throw new Error('alpha must be in (0, 1]');
  }

  /**
   * Records how an attempt on the target ended. `ok: true` = the target answered (any status
   * the relay does not classify as a failure). Failures count only for BREAKER_FAILURE_KINDS;
   * other kinds are neutral (they only free the probe lease of `requestId`).
   * While half-open, any success closes the breaker and any counted failure re-opens it (with
   * the grown cooldown), whoever sent the request: the probe lease only limits who is routed there.
   */
  async recordOutcome(targetId: string, o: { ok: boolean; kind?: FailureKind; now?: number; requestId?: string }): Promise<OutcomeResult> {
    const mode = o.ok ? 'ok' : o.kind !== undefined && !BREAKER_FAILURE_KINDS.has(o.kind) ? 'neutral' : 'fail';
    const k = targetKeys(targetId);
    const p = this.opts;
    const r = (await OUTCOME.run(
      this.redis,
      [k.breaker, k.failures, k.probe],
      [
        int(o.now ?? Date.now(), 'now'),
        mode,
        int(p.windowMs, 'windowMs'),
        int(p.threshold, 'threshold'),
        int(p.cooldownMs, 'cooldownMs'),
        int(p.maxCooldownMs, 'maxCooldownMs'),
        int(p.cooldownFactor, 'cooldownFactor'),
        p.successForgives ? '1' : '0',
        int(p.breakerRetainMs, 'breakerRetainMs'),
        o.requestId ?? '',
      ],
    )) as unknown[];
    const state = toState(r[0]);
    const previous = toState(r[1]);
    return { state, previous, changed: state !== previous, openUntil: Number(r[2]) };
  }

  /**
   * Takes the half-open probe lease for `holder` (SET NX PX): true for exactly one holder at a
   * time while the breaker is half-open (again true for the same holder), false otherwise.
   */
  async acquireProbe(targetId: string, holder: string, leaseMs: number, now: number = Date.now()): Promise<boolean> {
    const k = targetKeys(targetId);
    return Number(await PROBE.run(this.redis, [k.breaker, k.probe], [int(now, 'now'), holder, int(leaseMs, 'leaseMs')])) === 1;
  }

  /** Folds one sample into the EWMAs (ms in, µs stored). perTokenMs null = not measured (non-stream). */
  async recordLatency(
    targetId: string,
    s: { ttftMs: number; perTokenMs: number | null; now?: number },
  ): Promise<{ ttftMs: number; perTokenMs: number | null }> {
    const k = targetKeys(targetId);
    const us = (ms: number, what: string): string => int(Math.max(0, Math.round(ms * 1000)), what);
    const r = (await LATENCY.run(
      this.redis,
      [k.latency],
      [
        int(s.now ?? Date.now(), 'now'),
        us(s.ttftMs, 'ttftMs'),
        s.perTokenMs === null ? '-1' : us(s.perTokenMs, 'perTokenMs'),
        int(Math.round(this.opts.alpha * 1000), 'alpha'),
        int(this.opts.latencyTtlMs, 'latencyTtlMs'),
      ],
    )) as unknown[];
    const tok = Number(r[1]);
    return { ttftMs: Number(r[0]) / 1000, perTokenMs: tok < 0 ? null : tok / 1000 };
  }

  /** Starts counting `requestId` in flight until now + leaseMs (call again to renew a long stream). Returns the live count. */
  async begin(targetId: string, requestId: string, leaseMs: number, now: number = Date.now()): Promise<number> {
    if (!(leaseMs > 0)) throw new Error('leaseMs must be > 0');
    return Number(await BEGIN.run(this.redis, [targetKeys(targetId).inFlight], [int(now, 'now'), requestId, int(now + leaseMs, 'lease expiry')]));
  }

  /** Stops counting `requestId`; false when it held no lease (already ended or expired). */
  async end(targetId: string, requestId: string): Promise<boolean> {
    await whenReady(this.redis);
    return (await this.redis.zrem(targetKeys(targetId).inFlight, requestId)) === 1;
  }

  /**
   * Adds to the target's 60 s usage. Count the request when it is sent (`requests: 1, tokens: 0`
   * or with an estimate) and the tokens when known (`requests: 0, tokens: n`), so the rpm
   * window sees requests still streaming.
   */
  async recordUsage(targetId: string, u: { requests: number; tokens: number; now?: number }): Promise<void> {
    await USAGE.run(this.redis, [targetKeys(targetId).usage], [int(u.now ?? Date.now(), 'now'), int(u.requests, 'requests'), int(u.tokens, 'tokens')]);
  }

  /** Breaker state of each target, one round trip. */
  async states(ids: readonly string[], now: number = Date.now()): Promise<Map<string, BreakerState>> {
    const s = await this.snapshot(ids, now, { breaker: true });
    return new Map(ids.map((id) => [id, s.targets.get(id)!.breaker!]));
  }

  /** Latency EWMAs, one round trip; null for a target without a sample. */
  async latencies(ids: readonly string[]): Promise<Map<string, { ttftMs: number; perTokenMs: number | null } | null>> {
    const s = await this.snapshot(ids, 0, { latency: true });
    return new Map(
      ids.map((id) => {
        const l = s.targets.get(id)!.latency!;
        return [id, l ? { ttftMs: l.ttftMs, perTokenMs: l.perTokenMs } : null];
      }),
    );
  }

  /** Live in-flight leases per target at `now`, one round trip. */
  async inFlight(ids: readonly string[], now: number = Date.now()): Promise<Map<string, number>> {
    const s = await this.snapshot(ids, now, { inFlight: true });
    return new Map(ids.map((id) => [id, s.targets.get(id)!.inFlight!]));
  }

  /** Requests and tokens recorded in the last 60 s per target, one round trip. */
  async usage(ids: readonly string[], now: number = Date.now()): Promise<Map<string, Usage>> {
    const s = await this.snapshot(ids, now, { usage: true });
    return new Map(ids.map((id) => [id, s.targets.get(id)!.usage!]));
  }

  /**
   * Reads what `needs` asks for, for every target, in one round trip (one pipeline of one
   * script per target, plus the group counter's INCR). See TargetStatsOptions.batching for Cluster.
   */
  async snapshot(ids: readonly string[], now: number, needs: SnapshotNeeds): Promise<Snapshot> {
    const letters = `${needs.breaker || needs.probe ? 'b' : ''}${needs.probe ? 'p' : ''}${needs.latency ? 'l' : ''}${needs.inFlight ? 'i' : ''}${needs.usage ? 'u' : ''}`;
    const calls = ids.map((id) => {
      const k = targetKeys(id);
      return {
        keys: [k.breaker, k.probe, k.inFlight, k.latency, k.usage],
        args: [int(now, 'now'), letters, needs.probe?.holder ?? '', int(needs.probe?.leaseMs ?? 1, 'probe leaseMs')],
      };
    });
    const counterKey = needs.wrrGroup !== undefined ? wrrCounterKey(needs.wrrGroup) : null;
    const { results, counter } = await this.batch(calls, counterKey);
    const targets = new Map<string, TargetSnapshot>();
    ids.forEach((id, i) => targets.set(id, parseSnapshot(results[i], needs)));
    return counter === null ? { targets } : { targets, counter };
  }

  private useParallel(): boolean {
    const b = this.opts.batching;
    if (b === 'parallel') return true;
    if (b === 'pipeline') return false;
    return this.redis.isCluster === true || typeof this.redis.pipeline !== 'function';
  }

  private async batch(calls: Array<{ keys: string[]; args: string[] }>, counterKey: string | null): Promise<{ results: unknown[]; counter: number | null }> {
    // The INCR and the pipeline skip LuaScript.run's wait for a connection still being made.
    await whenReady(this.redis);
    if (this.useParallel()) {
      const [results, counter] = await Promise.all([
        Promise.all(calls.map((c) => SNAPSHOT.run(this.redis, c.keys, c.args))),
        counterKey ? this.redis.incr(counterKey) : Promise.resolve(null),
      ]);
      return { results, counter: counter === null ? null : Number(counter) };
    }
    // EVALSHA first; a NOSCRIPT (empty script cache after a restart) re-sends the scripts by EVAL,
    // without the INCR so the counter is not bumped twice.
    let counter: number | null = null;
    const first = await this.runPipeline(calls, counterKey, false);
    if (counterKey) {
      const [err, v] = first[first.length - 1];
      if (err) throw err;
      counter = Number(v);
    }
    let rows = first.slice(0, calls.length);
    if (rows.some(([e]) => e && /NOSCRIPT/i.test(e.message))) rows = await this.runPipeline(calls, null, true);
    return {
      results: rows.map(([e, v]) => {
        if (e) throw e;
        return v;
      }),
      counter,
    };
  }

  private async runPipeline(
    calls: Array<{ keys: string[]; args: string[] }>,
    counterKey: string | null,
    full: boolean,
  ): Promise<Array<[Error | null, unknown]>> {
    const p = this.redis.pipeline!();
    for (const c of calls) {
      if (full) p.eval(SNAPSHOT.source, c.keys.length, ...c.keys, ...c.args);
      else p.evalsha(SNAPSHOT.sha, c.keys.length, ...c.keys, ...c.args);
    }
    if (counterKey) p.incr(counterKey);
    const out = await p.exec();
    if (!out) throw new Error('pipeline aborted');
    return out;
  }
}

function num(v: unknown): number {
  return Number(v);
}

function parseSnapshot(raw: unknown, needs: SnapshotNeeds): TargetSnapshot {
  const r = raw as unknown[];
  const t: TargetSnapshot = {};
  if (needs.breaker || needs.probe) {
    t.breaker = toState(r[0]);
    t.openUntil = num(r[1]);
  }
  if (needs.probe) t.probeGranted = num(r[2]) === 1;
  if (needs.latency) {
    const ttft = num(r[3]);
    const tok = num(r[4]);
    t.latency = ttft < 0 ? null : { ttftMs: ttft / 1000, perTokenMs: tok < 0 ? null : tok / 1000, updatedAt: num(r[5]) };
  }
  if (needs.inFlight) t.inFlight = num(r[6]);
  if (needs.usage) t.usage = { rpm: num(r[7]), tpm: num(r[8]) };
  return t;
}
