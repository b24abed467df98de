/** Database rows → the shared records of lib/identity.ts (snake_case columns, ISO times, numbers). */
import type { KeyRecord, KeyRole, TeamRecord } from '../identity';
import type { TeamCacheMode } from '../semantic-cache/team-policy';

export type Row = Record<string, unknown>;

export function iso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return new Date(value as string | Date).toISOString();
}

export function num(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function teamFromRow(r: Row): TeamRecord {
  return {
    id: r.id as string,
    name: r.name as string,
    kongConsumer: (r.kong_consumer as string | null) ?? null,
    maxBudgetNano: num(r.max_budget_nano),
    budgetDuration: (r.budget_duration as string | null) ?? null,
    budgetAnchor: iso(r.budget_anchor)!,
    rpmLimit: num(r.rpm_limit),
    tpmLimit: num(r.tpm_limit),
    allowedModels: (r.allowed_models as string[] | null) ?? [],
    metadata: (r.metadata as Record<string, unknown> | null) ?? {},
    cache: { mode: r.cache_mode as TeamCacheMode, ttlSeconds: num(r.cache_ttl_seconds) },
  };
}

/** A team with its bookkeeping columns, for the control API. */
export interface StoredTeam extends TeamRecord {
  createdAt: string;
  updatedAt: string;
}

export function storedTeamFromRow(r: Row): StoredTeam {
  return { ...teamFromRow(r), createdAt: iso(r.created_at)!, updatedAt: iso(r.updated_at)! };
}

/** `r.team` is the joined team as row_to_json gives it, or null. */
export function keyFromRow(r: Row): KeyRecord {
  return {
    id: r.id as string,
    keyPrefix: r.key_prefix as string,
    keyAlias: (r.key_alias as string | null) ?? null,
    role: r.role as KeyRole,
    teamId: (r.team_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    allowedModels: (r.allowed_models as string[] | null) ?? [],
    modelAliases: (r.model_aliases as Record<string, string> | null) ?? {},
    maxBudgetNano: num(r.max_budget_nano),
    budgetDuration: (r.budget_duration as string | null) ?? null,
    budgetAnchor: iso(r.budget_anchor)!,
    rpmLimit: num(r.rpm_limit),
    tpmLimit: num(r.tpm_limit),
    maxParallelRequests: num(r.max_parallel_requests),
    expiresAt: iso(r.expires_at),
    revoked: Boolean(r.revoked),
    metadata: (r.metadata as Record<string, unknown> | null) ?? {},
    team: r.team ? teamFromRow(r.team as Row) : null,
  };
}

/** A key with the columns only the control API shows (and the hashes it invalidates by). */
export interface StoredKey extends KeyRecord {
  keyHash: string;
  previousKeyHash: string | null;
  previousExpiresAt: string | null;
  revokedAt: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export function storedKeyFromRow(r: Row): StoredKey {
  return {
    ...keyFromRow(r),
    keyHash: (r.key_hash as string).trim(),
    previousKeyHash: r.previous_key_hash ? (r.previous_key_hash as string).trim() : null,
    previousExpiresAt: iso(r.previous_expires_at),
    revokedAt: iso(r.revoked_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    lastUsedAt: iso(r.last_used_at),
  };
}

/** The hashes caches may hold this key under: the current one and a previous one still in grace. */
export function liveHashes(key: Pick<StoredKey, 'keyHash' | 'previousKeyHash'>): string[] {
  return key.previousKeyHash ? [key.keyHash, key.previousKeyHash] : [key.keyHash];
}
