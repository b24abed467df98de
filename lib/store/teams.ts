/** Teams (tenants): pure data access, no HTTP. */
import type { Pool } from 'pg';
import type { TeamCacheMode } from '../semantic-cache/team-policy';
import { rethrowConflict } from './errors';
import { type StoredKey, type StoredTeam, storedKeyFromRow, storedTeamFromRow } from './rows';
import { inTransaction, type Queryable, setClauses } from './sql';

export interface NewTeam {
  name: string;
  kongConsumer: string | null;
  maxBudgetNano: number | null;
  budgetDuration: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  allowedModels: string[];
  metadata: Record<string, unknown>;
  cacheMode: TeamCacheMode;
  /** Null = the route's ttl_seconds. */
  cacheTtlSeconds: number | null;
}

export type TeamPatch = Partial<NewTeam>;

const COLUMNS: Record<keyof NewTeam, string> = {
  name: 'name',
  kongConsumer: 'kong_consumer',
  maxBudgetNano: 'max_budget_nano',
  budgetDuration: 'budget_duration',
  rpmLimit: 'rpm_limit',
  tpmLimit: 'tpm_limit',
  allowedModels: 'allowed_models',
  metadata: 'metadata',
  cacheMode: 'cache_mode',
  cacheTtlSeconds: 'cache_ttl_seconds',
};

export async function createTeam(db: Queryable, t: NewTeam): Promise<StoredTeam> {
  try {
    const { rows } = await db.query(
      `INSERT INTO aigw_teams (name, kong_consumer, max_budget_nano, budget_duration, rpm_limit, tpm_limit, allowed_models, metadata, cache_mode, cache_ttl_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
      [
        t.name,
        t.kongConsumer,
        t.maxBudgetNano,
        t.budgetDuration,
        t.rpmLimit,
        t.tpmLimit,
        t.allowedModels,
        JSON.stringify(t.metadata),
        t.cacheMode,
        t.cacheTtlSeconds,
      ],
    );
    return storedTeamFromRow(rows[0]);
  } catch (error) {
    rethrowConflict(error);
  }
}

export async function getTeam(db: Queryable, id: string): Promise<StoredTeam | null> {
  const { rows } = await db.query('SELECT * FROM aigw_teams WHERE id = $1', [id]);
  return rows[0] ? storedTeamFromRow(rows[0]) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A team by id, or else by name (the API and CLI accept either). */
export async function resolveTeam(db: Queryable, idOrName: string): Promise<StoredTeam | null> {
  if (isUuid(idOrName)) {
    const byId = await getTeam(db, idOrName);
    if (byId) return byId;
  }
  const { rows } = await db.query('SELECT * FROM aigw_teams WHERE name = $1', [idOrName]);
  return rows[0] ? storedTeamFromRow(rows[0]) : null;
}

export async function listTeams(db: Queryable, page: { limit: number; offset: number }): Promise<{ teams: StoredTeam[]; total: number }> {
  const { rows } = await db.query('SELECT *, count(*) OVER () AS total FROM aigw_teams ORDER BY created_at, id LIMIT $1 OFFSET $2', [page.limit, page.offset]);
  const total = rows[0] ? Number(rows[0].total) : (await db.query('SELECT count(*)::int AS n FROM aigw_teams')).rows[0].n;
  return { teams: rows.map(storedTeamFromRow), total };
}

/** Applies the patch; a changed budget or window moves the budget anchor to now. */
export async function updateTeam(db: Queryable, id: string, patch: TeamPatch): Promise<StoredTeam | null> {
  const params: unknown[] = [id];
  const sets = setClauses(patch, COLUMNS, params);
  sets.push(...anchorReset(patch, params));
  sets.push('updated_at = now()');
  try {
    const { rows } = await db.query(`UPDATE aigw_teams SET ${sets.join(', ')} WHERE id = $1 RETURNING *`, params);
    return rows[0] ? storedTeamFromRow(rows[0]) : null;
  } catch (error) {
    rethrowConflict(error);
  }
}

/**
 * `budget_anchor = now()` when the patch changes the budget or its window (SET sees the old
 * values, so the comparison is against what was stored).
 */
export function anchorReset(patch: { maxBudgetNano?: number | null; budgetDuration?: string | null }, params: unknown[]): string[] {
  const changed: string[] = [];
  if (patch.maxBudgetNano !== undefined) {
    params.push(patch.maxBudgetNano);
    changed.push(`max_budget_nano IS DISTINCT FROM $${params.length}::bigint`);
  }
  if (patch.budgetDuration !== undefined) {
    params.push(patch.budgetDuration);
    changed.push(`budget_duration IS DISTINCT FROM $${params.length}::text`);
  }
  return changed.length ? [`budget_anchor = CASE WHEN ${changed.join(' OR ')} THEN now() ELSE budget_anchor END`] : [];
}

/** Keys of a team (any state), for invalidating their cache entries after a team change. */
export async function teamKeys(db: Queryable, teamId: string): Promise<StoredKey[]> {
  const { rows } = await db.query('SELECT * FROM aigw_keys WHERE team_id = $1', [teamId]);
  return rows.map(storedKeyFromRow);
}

export type TeamDeletion =
  | { status: 'not_found' }
  | { status: 'in_use'; activeKeys: number }
  | { status: 'deleted'; team: StoredTeam; revokedKeys: StoredKey[]; detachedKeys: StoredKey[] };

/**
 * Deletes a team. Unrevoked keys block it unless `force`, which revokes them; revoked keys are
 * detached (team_id NULL) so the team row can go. The ledger keeps the team id for history.
 */
export async function deleteTeam(pool: Pool, id: string, force: boolean): Promise<TeamDeletion> {
  return inTransaction(pool, async (client) => {
    const { rows: teamRows } = await client.query('SELECT * FROM aigw_teams WHERE id = $1 FOR UPDATE', [id]);
    if (!teamRows[0]) return { status: 'not_found' as const };
    const { rows: keyRows } = await client.query('SELECT * FROM aigw_keys WHERE team_id = $1 FOR UPDATE', [id]);
    const active = keyRows.filter((r) => !r.revoked);
    if (active.length > 0 && !force) return { status: 'in_use' as const, activeKeys: active.length };
    const { rows: revoked } = await client.query(
      'UPDATE aigw_keys SET revoked = true, revoked_at = now(), updated_at = now() WHERE team_id = $1 AND NOT revoked RETURNING *',
      [id],
    );
    const { rows: detached } = await client.query('UPDATE aigw_keys SET team_id = NULL, updated_at = now() WHERE team_id = $1 RETURNING *', [id]);
    await client.query('DELETE FROM aigw_teams WHERE id = $1', [id]);
    return {
      status: 'deleted' as const,
      team: storedTeamFromRow(teamRows[0]),
      revokedKeys: revoked.map(storedKeyFromRow),
      detachedKeys: detached.map(storedKeyFromRow),
    };
  });
}
