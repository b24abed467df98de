/**
 * A team's cache settings (aigw_teams.cache_mode, cache_ttl_seconds): written by the control API,
 * carried in the request identity by aigw-virtual-key, applied by aigw-semantic-cache.
 */
import { MAX_TTL_SECONDS } from './defaults';

/** on: the route's cache as configured; exact: exact matches only; off: never read or written. */
export type TeamCacheMode = 'on' | 'exact' | 'off';

export const TEAM_CACHE_MODES: readonly TeamCacheMode[] = ['on', 'exact', 'off'];

export const isTeamCacheMode = (v: unknown): v is TeamCacheMode => TEAM_CACHE_MODES.includes(v as TeamCacheMode);

export interface TeamCachePolicy {
  mode: TeamCacheMode;
  /** How long the team's entries live; null = the route's ttl_seconds. */
  ttlSeconds: number | null;
}

/** What a team gets unless an admin says otherwise: the route decides everything. */
export const DEFAULT_TEAM_CACHE: TeamCachePolicy = { mode: 'on', ttlSeconds: null };

const isTtl = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_TTL_SECONDS;

/**
 * A policy read back from kong.ctx.shared or a cached key record: undefined when it is malformed
 * or the default (nothing to apply), so only a policy that changes something travels. A missing
 * ttlSeconds is null (a Lua table cannot hold nil).
 */
export function restoreTeamCache(value: unknown): TeamCachePolicy | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Partial<TeamCachePolicy>;
  if (!isTeamCacheMode(v.mode)) return undefined;
  const ttlSeconds = v.ttlSeconds ?? null;
  if (ttlSeconds !== null && !isTtl(ttlSeconds)) return undefined;
  if (v.mode === DEFAULT_TEAM_CACHE.mode && ttlSeconds === DEFAULT_TEAM_CACHE.ttlSeconds) return undefined;
  return { mode: v.mode, ttlSeconds };
}
