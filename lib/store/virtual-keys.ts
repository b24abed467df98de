/**
 * Virtual keys: pure data access, no HTTP. Lookups are by SHA-256 hash only; the raw secret
 * never reaches this module.
 */
import type { KeyRecord, KeyRole } from '../identity';
import { rethrowConflict } from './errors';
import { keyFromRow, type StoredKey, storedKeyFromRow } from './rows';
import { type Queryable, setClauses } from './sql';
import { anchorReset } from './teams';

/** The key row with its team as JSON (row_to_json keeps this one query, one round trip). */
const SELECT_WITH_TEAM = `SELECT k.*, CASE WHEN t.id IS NULL THEN NULL ELSE row_to_json(t.*) END AS team
  FROM aigw_keys k LEFT JOIN aigw_teams t ON t.id = k.team_id`;

/**
 * The key whose current hash is `hash`, or whose previous hash is `hash` and still inside its
 * rotation grace period. Expired and revoked keys are returned as they are (their `expiresAt`
 * and `revoked` say why) so the caller can answer 401 with the precise reason.
 */
export async function findKeyByHash(db: Queryable, hash: string): Promise<KeyRecord | null> {
  const { rows } = await db.query(
    `${SELECT_WITH_TEAM} WHERE k.key_hash = $1 OR (k.previous_key_hash = $1 AND k.previous_expires_at > now())
     ORDER BY (k.key_hash = $1) DESC LIMIT 1`,
    [hash],
  );
  return rows[0] ? keyFromRow(rows[0]) : null;
}

export type KeyStatus = 'active' | 'revoked' | 'expired';

/** Why a found key may not be used; revocation wins over expiry. */
export function keyStatus(key: Pick<KeyRecord, 'revoked' | 'expiresAt'>, now: number = Date.now()): KeyStatus {
  if (key.revoked) return 'revoked';
  if (key.expiresAt !== null && new Date(key.expiresAt).getTime() <= now) return 'expired';
  return 'active';
}

/** One UPDATE for a batch of ids (the plugin flushes its "seen" set periodically). */
export async function touchKeyLastUsed(db: Queryable, ids: string[], at: Date = new Date()): Promise<number> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return 0;
  const { rowCount } = await db.query('UPDATE aigw_keys SET last_used_at = GREATEST(COALESCE(last_used_at, $2), $2) WHERE id = ANY($1::uuid[])', [unique, at]);
  return rowCount ?? 0;
}

export interface NewKey {
  keyHash: string;
  keyPrefix: string;
  keyAlias: string | null;
  teamId: string | null;
  userId: string | null;
  role: KeyRole;
  allowedModels: string[];
  modelAliases: Record<string, string>;
  maxBudgetNano: number | null;
  budgetDuration: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxParallelRequests: number | null;
  expiresAt: Date | null;
  metadata: Record<string, unknown>;
}

export type KeyPatch = Partial<
  Pick<
    NewKey,
    | 'keyAlias'
    | 'allowedModels'
    | 'modelAliases'
    | 'maxBudgetNano'
    | 'budgetDuration'
    | 'rpmLimit'
    | 'tpmLimit'
    | 'maxParallelRequests'
    | 'expiresAt'
    | 'metadata'
    | 'userId'
  >
>;

const PATCH_COLUMNS: Record<keyof KeyPatch, string> = {
  keyAlias: 'key_alias',
  userId: 'user_id',
  allowedModels: 'allowed_models',
  modelAliases: 'model_aliases',
  maxBudgetNano: 'max_budget_nano',
  budgetDuration: 'budget_duration',
  rpmLimit: 'rpm_limit',
  tpmLimit: 'tpm_limit',
  maxParallelRequests: 'max_parallel_requests',
  expiresAt: 'expires_at',
  metadata: 'metadata',
};

export async function createKey(db: Queryable, k: NewKey): Promise<StoredKey> {
  try {
    const { rows } = await db.query(
      `INSERT INTO aigw_keys (key_hash, key_prefix, key_alias, team_id, user_id, role, allowed_models, model_aliases,
         max_budget_nano, budget_duration, rpm_limit, tpm_limit, max_parallel_requests, expires_at, metadata)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [
        k.keyHash,
        k.keyPrefix,
        k.keyAlias,
        k.teamId,
        k.userId,
        k.role,
        k.allowedModels,
        JSON.stringify(k.modelAliases),
        k.maxBudgetNano,
        k.budgetDuration,
        k.rpmLimit,
        k.tpmLimit,
        k.maxParallelRequests,
        k.expiresAt,
        JSON.stringify(k.metadata),
      ],
    );
    return (await getKey(db, rows[0].id as string))!;
  } catch (error) {
    rethrowConflict(error);
  }
}

export async function getKey(db: Queryable, id: string): Promise<StoredKey | null> {
  const { rows } = await db.query(`${SELECT_WITH_TEAM} WHERE k.id = $1`, [id]);
  return rows[0] ? storedKeyFromRow(rows[0]) : null;
}

export async function getKeyByAlias(db: Queryable, alias: string): Promise<StoredKey | null> {
  const { rows } = await db.query(`${SELECT_WITH_TEAM} WHERE k.key_alias = $1`, [alias]);
  return rows[0] ? storedKeyFromRow(rows[0]) : null;
}

export async function listKeys(db: Queryable, q: { teamId?: string | null; limit: number; offset: number }): Promise<{ keys: StoredKey[]; total: number }> {
  const where = q.teamId ? 'WHERE k.team_id = $3' : '';
  const params: unknown[] = [q.limit, q.offset];
  if (q.teamId) params.push(q.teamId);
  const { rows } = await db.query(`${SELECT_WITH_TEAM} ${where} ORDER BY k.created_at, k.id LIMIT $1 OFFSET $2`, params);
  const { rows: count } = await db.query(`SELECT count(*)::int AS n FROM aigw_keys k ${where.replace('$3', '$1')}`, q.teamId ? [q.teamId] : []);
  return { keys: rows.map(storedKeyFromRow), total: count[0].n as number };
}

/** Applies the patch; a changed budget or window moves the budget anchor to now. */
export async function updateKey(db: Queryable, id: string, patch: KeyPatch): Promise<StoredKey | null> {
  const params: unknown[] = [id];
  const sets = setClauses(patch, PATCH_COLUMNS, params);
  sets.push(...anchorReset(patch, params));
  sets.push('updated_at = now()');
  try {
    const { rowCount } = await db.query(`UPDATE aigw_keys SET ${sets.join(', ')} WHERE id = $1`, params);
    return rowCount ? getKey(db, id) : null;
  } catch (error) {
    rethrowConflict(error);
  }
}

export interface Rotation {
  key: StoredKey;
  /** Every hash that identified this key before the rotation (the old current, a dropped previous). */
  oldHashes: string[];
}

/**
 * New secret for the key. With `graceMs` > 0 the old secret keeps working until now + grace;
 * an older previous secret still in grace is dropped (only one previous secret is kept).
 * Returns null when the key does not exist or is revoked.
 */
export async function rotateKey(db: Queryable, id: string, next: { keyHash: string; keyPrefix: string; graceMs: number }): Promise<Rotation | null> {
  const { rows } = await db.query(
    `UPDATE aigw_keys k SET key_hash = $2, key_prefix = $3,
       previous_key_hash = CASE WHEN $4::bigint > 0 THEN o.old_hash ELSE NULL END,
       previous_expires_at = CASE WHEN $4::bigint > 0 THEN now() + $4::bigint * interval '1 millisecond' ELSE NULL END,
       updated_at = now()
     FROM (SELECT id, key_hash AS old_hash, previous_key_hash AS old_previous FROM aigw_keys WHERE id = $1 FOR UPDATE) o
     WHERE k.id = o.id AND NOT k.revoked
     RETURNING o.old_hash, o.old_previous`,
    [id, next.keyHash, next.keyPrefix, next.graceMs],
  );
  if (!rows[0]) return null;
  const oldHashes = [rows[0].old_hash, rows[0].old_previous].filter(Boolean).map((h: string) => h.trim());
  return { key: (await getKey(db, id))!, oldHashes };
}

/** Marks the key revoked (both its current and any previous secret stop working). */
export async function revokeKey(db: Queryable, id: string): Promise<StoredKey | null> {
  const { rowCount } = await db.query('UPDATE aigw_keys SET revoked = true, revoked_at = COALESCE(revoked_at, now()), updated_at = now() WHERE id = $1', [id]);
  return rowCount ? getKey(db, id) : null;
}

/** Removes the key row; its ledger rows stay (history). Returns the deleted key. */
export async function deleteKey(db: Queryable, id: string): Promise<StoredKey | null> {
  const key = await getKey(db, id);
  if (!key) return null;
  await db.query('DELETE FROM aigw_keys WHERE id = $1', [id]);
  return key;
}
