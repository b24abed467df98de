/**
 * The semantic cache's system of record: entries in Redis, shared by every node. The relay puts
 * (after a complete answer), the plugin reads (exact match, then the entry a semantic candidate
 * names), the control API purges and reads stats, and every node's index loads scopes from here
 * and follows the event stream this store writes. Key layout: keys.ts and README.md.
 *
 * A put runs three scripts: register in the {cache} sets (first, so purge can always find what
 * the scope holds), write in the scope's slot, then forget what was evicted and announce the put.
 * A put that fails half-way leaves at worst a registration without an entry (counted until it
 * expires), never an entry purge cannot find.
 */
import type { Cluster, Redis } from 'ioredis';
import { LuaScript, whenReady } from '../limits/script';
import { DEFAULT_BOUNDS, decodeEntry, decodeIndexed, type EntryBounds, encodeEntry, type IndexedEntry, shortText } from './codec';
import { checkCacheId, globalKeys, memberOf, modelTag, parseMember, scopeKeys } from './keys';
import { ANNOUNCE_LUA, REGISTER_LUA, SCOPE_PUT_LUA, SCOPE_REMOVE_LUA } from './lua';
import { PENDING_FILL_TTL_SECONDS } from './pending-fill';
import { attempt, type CacheFailureReason, type CacheResult, fail } from './result';
import type { CacheEntry } from './types';

const SCOPE_PUT = new LuaScript('aigw-cache-scope-put', SCOPE_PUT_LUA);
const SCOPE_REMOVE = new LuaScript('aigw-cache-scope-remove', SCOPE_REMOVE_LUA);
const REGISTER = new LuaScript('aigw-cache-register', REGISTER_LUA);
const ANNOUNCE = new LuaScript('aigw-cache-announce', ANNOUNCE_LUA);

export type RedisClient = Redis | Cluster;

export interface CacheStoreOptions extends Partial<EntryBounds> {
  /** Most live entries in one scope; beyond it the entry that would expire first is evicted. Default 10,000. */
  maxEntriesPerScope?: number;
  /** Most live entries overall (every scope, every node). Default 1,000,000. */
  maxEntries?: number;
  /** Approximate length the event stream is trimmed to. Default 100,000. */
  streamMaxLen?: number;
  now?: () => number;
}

export type PurgeTarget = { teamId: string } | { model: string } | { all: true };

export interface Counted {
  entries: number;
  hits: number;
  savedNano: number;
}

export interface CacheStats {
  entries: number;
  byTeam: Array<{ teamId: string } & Counted>;
  byModel: Array<{ model: string } & Counted>;
  /** The most recently filled scopes (up to `scopeLimit`). */
  byScope: Array<{ scopeId: string } & Counted>;
}

/** Who a hit is counted for. */
export type HitSubject = Pick<CacheEntry, 'scopeId' | 'teamId' | 'model'>;

/** Members read per round while purging. */
const PURGE_CHUNK = 500;
/** How long a call waits for a connection being made (a lookup is a miss after it). */
const READY_WAIT_MS = 250;
/** Entries read per round while loading a scope. */
const LOAD_PAGE = 256;
/** How long a scope's hit counters outlive its last hit. */
const SCOPE_HITS_TTL_S = 30 * 86_400;

export class CacheStore {
  readonly bounds: EntryBounds;
  private readonly maxEntriesPerScope: number;
  private readonly maxEntries: number;
  private readonly streamMaxLen: number;
  private readonly now: () => number;

  constructor(
    private readonly redis: RedisClient,
    opts: CacheStoreOptions = {},
  ) {
    this.bounds = {
      maxEntryBytes: opts.maxEntryBytes ?? DEFAULT_BOUNDS.maxEntryBytes,
      maxDimensions: opts.maxDimensions ?? DEFAULT_BOUNDS.maxDimensions,
      maxTtlSeconds: opts.maxTtlSeconds ?? DEFAULT_BOUNDS.maxTtlSeconds,
    };
    this.maxEntriesPerScope = opts.maxEntriesPerScope ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.streamMaxLen = opts.streamMaxLen ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * A store call as a result, after waiting briefly for a connection still being made: the
   * clients have no offline queue, so a plugin server's first lookups would otherwise fail (a
   * miss) while its Redis connection comes up.
   */
  private attempt<T>(what: string, op: () => Promise<T>): Promise<CacheResult<T>> {
    return attempt(what, async () => {
      await whenReady(this.redis, READY_WAIT_MS);
      return op();
    });
  }

  /** Stores an entry (replacing the scope's entry of the same exactHash). `evicted` counts entries removed to respect the caps. */
  async put(entry: CacheEntry): Promise<CacheResult<{ evicted: number }>> {
    let encoded: ReturnType<typeof encodeEntry>;
    try {
      encoded = encodeEntry(entry, this.bounds);
    } catch (e) {
      return fail('refused', (e as Error).message);
    }
    const now = this.now();
    const ttlMs = encoded.expiresAt - now;
    if (ttlMs <= 0) return fail('refused', 'entry has already expired');
    const { scopeId, id, teamId, model } = entry;
    return this.attempt('put', async () => {
      const registerKeys = [globalKeys.all, globalKeys.teams, globalKeys.models, globalKeys.scopes, globalKeys.model(model)];
      if (teamId !== null) registerKeys.push(globalKeys.team(teamId));
      const popped = (await REGISTER.run(this.redis, registerKeys, [
        memberOf(scopeId, id),
        encoded.expiresAt,
        now,
        this.maxEntries,
        teamId ?? '',
        model,
        scopeId,
      ])) as string[];
      const removed = (await SCOPE_PUT.run(
        this.redis,
        [scopeKeys.entry(scopeId, id), scopeKeys.exact(scopeId, entry.exactHash), scopeKeys.entries(scopeId)],
        [
          id,
          encoded.meta,
          encoded.answer,
          entry.exactHash,
          teamId ?? '',
          modelTag(model),
          ttlMs,
          encoded.expiresAt,
          now,
          this.maxEntriesPerScope,
          scopeKeys.entryPrefix(scopeId),
          scopeKeys.exactPrefix(scopeId),
        ],
      )) as string[];
      await this.announce(scopeId, id, removed);
      const evictedElsewhere = await this.removeMembers(popped);
      return { evicted: removed.length / 3 + evictedElsewhere };
    });
  }

  /** The scope's entry for this exact query hash, or null. */
  async getExact(scopeId: string, exactHash: string): Promise<CacheResult<CacheEntry | null>> {
    const refused = refuseIds({ scopeId, exactHash });
    if (refused) return refused;
    return this.attempt('getExact', async () => {
      const id = await this.redis.get(scopeKeys.exact(scopeId, exactHash));
      return id === null ? null : this.read(scopeId, id);
    });
  }

  /** A miss's vector and question for the relay's fill (pending-fill.ts), under the scope and the request id. */
  async putPendingFill(scopeId: string, requestId: string, value: Buffer): Promise<CacheResult<void>> {
    return (
      refuseIds({ scopeId, requestId }) ??
      this.attempt('putPendingFill', async () => {
        await this.redis.set(scopeKeys.pendingFill(scopeId, requestId), value, 'EX', PENDING_FILL_TTL_SECONDS);
      })
    );
  }

  /** The pending pair of this scope and request, removed as it is read; null when it expired or was never written. */
  async takePendingFill(scopeId: string, requestId: string): Promise<CacheResult<Buffer | null>> {
    return refuseIds({ scopeId, requestId }) ?? this.attempt('takePendingFill', () => this.redis.getdelBuffer(scopeKeys.pendingFill(scopeId, requestId)));
  }

  /** The entry (with its answer), or null once it expired, was evicted or purged. */
  async get(scopeId: string, entryId: string): Promise<CacheResult<CacheEntry | null>> {
    return refuseIds({ scopeId, entryId }) ?? this.attempt('get', () => this.read(scopeId, entryId));
  }

  /** Counts a hit and what it saved (nano-USD; null when the original price was unknown). Fire and forget. */
  async recordHit(subject: HitSubject, savedNano: number | null): Promise<CacheResult<void>> {
    const saved = savedNano !== null && Number.isSafeInteger(savedNano) && savedNano > 0 ? savedNano : 0;
    try {
      checkCacheId('scopeId', subject.scopeId);
      if (subject.teamId !== null) checkCacheId('teamId', subject.teamId);
      shortText('model', subject.model);
    } catch (e) {
      return fail('refused', (e as Error).message);
    }
    return this.attempt('recordHit', async () => {
      const scopeHits = scopeKeys.hits(subject.scopeId);
      const model = modelTag(subject.model);
      const writes: Array<Promise<unknown>> = [
        this.redis.hincrby(scopeHits, 'n', 1),
        this.redis.hincrby(scopeHits, 'saved', saved),
        this.redis.expire(scopeHits, SCOPE_HITS_TTL_S),
        this.redis.hincrby(globalKeys.modelHits, `${model}:n`, 1),
        this.redis.hincrby(globalKeys.modelHits, `${model}:saved`, saved),
      ];
      if (subject.teamId !== null) {
        const team = subject.teamId;
        writes.push(this.redis.hincrby(globalKeys.teamHits, `${team}:n`, 1), this.redis.hincrby(globalKeys.teamHits, `${team}:saved`, saved));
      }
      await Promise.all(writes);
    });
  }

  /**
   * Removes every entry of a team, a model or all of them; returns how many existed. Other nodes'
   * indexes drop them through the event stream. A put racing the purge may survive it.
   * @throws on a Redis failure (the control API reports it; run it again).
   */
  async purge(target: PurgeTarget): Promise<number> {
    let set: string;
    let event: string[];
    if ('teamId' in target) {
      set = globalKeys.team(checkCacheId('teamId', target.teamId));
      event = ['team', target.teamId];
    } else if ('model' in target) {
      set = globalKeys.model(target.model);
      event = ['model', target.model];
    } else {
      set = globalKeys.all;
      event = ['all', '1'];
    }
    let removed = 0;
    // Bounded: members put while the purge runs could otherwise keep it going forever.
    const rounds = Math.ceil((await this.redis.zcard(set)) / PURGE_CHUNK) + 1;
    for (let round = 0; round < rounds; round++) {
      const members = await this.redis.zrange(set, 0, PURGE_CHUNK - 1);
      if (members.length === 0) break;
      removed += await this.removeMembers(members);
      // members whose entry had already gone carry no team or model to be forgotten by
      await this.redis.zrem(set, ...members);
    }
    if ('all' in target) await this.forgetRegistries();
    await this.redis.xadd(globalKeys.events, 'MAXLEN', '~', String(this.streamMaxLen), '*', 't', 'purge', ...event);
    return removed;
  }

  /** Live entries per team, model and scope (the `scopeLimit` most recently filled), with hit counters. */
  async stats(opts: { scopeLimit?: number } = {}): Promise<CacheStats> {
    const now = this.now();
    const live = (key: string): Promise<number> => this.redis.zcount(key, now, '+inf');
    const [entries, teams, models, scopes] = await Promise.all([
      live(globalKeys.all),
      this.redis.zrangebyscore(globalKeys.teams, now, '+inf', 'LIMIT', 0, 10_000),
      this.redis.zrangebyscore(globalKeys.models, now, '+inf', 'LIMIT', 0, 10_000),
      this.redis.zrevrangebyscore(globalKeys.scopes, '+inf', now, 'LIMIT', 0, Math.min(Math.max(1, opts.scopeLimit ?? 100), 10_000)),
    ]);
    const hits = async (key: string, field: string): Promise<Omit<Counted, 'entries'>> => {
      const [n, saved] = await this.redis.hmget(key, `${field}:n`, `${field}:saved`);
      return { hits: Number(n ?? 0), savedNano: Number(saved ?? 0) };
    };
    return {
      entries,
      byTeam: await Promise.all(
        teams.map(async (teamId) => ({ teamId, entries: await live(globalKeys.team(teamId)), ...(await hits(globalKeys.teamHits, teamId)) })),
      ),
      byModel: await Promise.all(
        models.map(async (model) => ({ model, entries: await live(globalKeys.model(model)), ...(await hits(globalKeys.modelHits, modelTag(model))) })),
      ),
      byScope: await Promise.all(
        scopes.map(async (scopeId) => {
          const [count, [n, saved]] = await Promise.all([live(scopeKeys.entries(scopeId)), this.redis.hmget(scopeKeys.hits(scopeId), 'n', 'saved')]);
          return { scopeId, entries: count, hits: Number(n ?? 0), savedNano: Number(saved ?? 0) };
        }),
      ),
    };
  }

  /**
   * The scope's live entries for an index, newest-expiring first, page by page, at most `limit`.
   * The ids are read at once (a snapshot: paging by offset would skip entries that shift while
   * others are removed); changes after it reach the index as events.
   * @throws on a Redis failure (the index turns it into a failed load).
   */
  async *scopeEntries(scopeId: string, limit: number): AsyncGenerator<IndexedEntry[]> {
    const key = scopeKeys.entries(checkCacheId('scopeId', scopeId));
    const ids = await this.redis.zrevrangebyscore(key, '+inf', this.now(), 'LIMIT', 0, limit);
    for (let start = 0; start < ids.length; start += LOAD_PAGE) {
      const found = await this.indexed(scopeId, ids.slice(start, start + LOAD_PAGE));
      yield [...found.values()].filter((e): e is IndexedEntry => e !== null);
    }
  }

  /** The index view of these entries (null for those gone). @throws on a Redis failure. */
  async indexed(scopeId: string, ids: readonly string[]): Promise<Map<string, IndexedEntry | null>> {
    const metas = await Promise.all(ids.map((id) => this.redis.hget(scopeKeys.entry(scopeId, id), 'meta')));
    const found = new Map<string, IndexedEntry | null>();
    ids.forEach((id, i) => {
      const meta = metas[i];
      found.set(id, meta === null ? null : decodeIndexed(meta));
    });
    return found;
  }

  private async read(scopeId: string, id: string): Promise<CacheEntry | null> {
    const [meta, answer] = await this.redis.hmget(scopeKeys.entry(scopeId, id), 'meta', 'answer');
    if (meta === null || answer === null) return null;
    const entry = decodeEntry(meta, answer);
    // the key's TTL and expiresAt follow different clocks: never answer past either
    return entry.createdAt + entry.ttlSeconds * 1000 > this.now() ? entry : null;
  }

  /** Removes entries named by {cache} members, scope by scope; returns how many existed. */
  private async removeMembers(members: readonly string[]): Promise<number> {
    const byScope = new Map<string, string[]>();
    for (const member of members) {
      const parsed = parseMember(member);
      if (!parsed) continue;
      const ids = byScope.get(parsed.scopeId) ?? [];
      ids.push(parsed.entryId);
      byScope.set(parsed.scopeId, ids);
    }
    const counts = await Promise.all(
      [...byScope].map(async ([scopeId, ids]) => {
        const removed = (await SCOPE_REMOVE.run(
          this.redis,
          [scopeKeys.entries(scopeId)],
          [scopeKeys.entryPrefix(scopeId), scopeKeys.exactPrefix(scopeId), ...ids],
        )) as string[];
        await this.announce(scopeId, '', removed);
        return removed.length / 3;
      }),
    );
    return counts.reduce((a, b) => a + b, 0);
  }

  private async announce(scopeId: string, putId: string, removed: readonly string[]): Promise<void> {
    if (putId === '' && removed.length === 0) return;
    await ANNOUNCE.run(
      this.redis,
      [globalKeys.all, globalKeys.events],
      [String(this.streamMaxLen), globalKeys.teamPrefix, globalKeys.modelPrefix, scopeId, putId, ...removed],
    );
  }

  /** After purging everything: the per-team and per-model sets and the registries go too. */
  private async forgetRegistries(): Promise<void> {
    const [teams, models] = await Promise.all([this.redis.zrange(globalKeys.teams, 0, -1), this.redis.zrange(globalKeys.models, 0, -1)]);
    const keys = [...teams.map(globalKeys.team), ...models.map(globalKeys.model), globalKeys.teams, globalKeys.models, globalKeys.scopes];
    for (let i = 0; i < keys.length; i += PURGE_CHUNK) await this.redis.del(...keys.slice(i, i + PURGE_CHUNK));
  }
}

/** A failure naming the first id that could not go into a key, or null when all can. */
function refuseIds(ids: Record<string, string>): { ok: false; reason: CacheFailureReason; detail: string } | null {
  try {
    for (const [what, id] of Object.entries(ids)) checkCacheId(what, id);
    return null;
  } catch (e) {
    return fail('refused', (e as Error).message);
  }
}
