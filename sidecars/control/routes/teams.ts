/** /admin/teams: create, list, info, update, delete. */
import { budgetWindow } from '../../../lib/limits/windows';
import { MAX_TTL_SECONDS } from '../../../lib/semantic-cache/defaults';
import { DEFAULT_TEAM_CACHE } from '../../../lib/semantic-cache/team-policy';
import { ConflictError } from '../../../lib/store/errors';
import { spendSummary } from '../../../lib/store/ledger';
import { liveHashes, type StoredTeam } from '../../../lib/store/rows';
import { createTeam, deleteTeam, listTeams, resolveTeam, type TeamPatch, teamKeys, updateTeam } from '../../../lib/store/teams';
import { conflict, notFound } from '../api-error';
import type { ControlContext, Handler } from '../context';
import * as v from '../validate';
import { spendView, teamView } from '../views';

const FIELDS = [
  'name',
  'kong_consumer',
  'max_budget',
  'budget_duration',
  'rpm_limit',
  'tpm_limit',
  'models',
  'metadata',
  'cache_mode',
  'cache_ttl_seconds',
] as const;

function mapConflict(error: unknown): never {
  if (error instanceof ConflictError) throw conflict(error.message, error.field);
  throw error;
}

/** The team a path names, by id or by name (as `keys create --team` takes it). */
async function loadTeam(ctx: ControlContext, idOrName: string): Promise<StoredTeam> {
  const team = await resolveTeam(ctx.pool, idOrName);
  if (!team) throw notFound('team', idOrName);
  return team;
}

function readPatch(body: v.Body): TeamPatch {
  return {
    name: v.optString(body, 'name') ?? undefined,
    kongConsumer: v.optString(body, 'kong_consumer'),
    maxBudgetNano: v.optBudget(body, 'max_budget'),
    budgetDuration: v.optDuration(body, 'budget_duration'),
    rpmLimit: v.optLimit(body, 'rpm_limit'),
    tpmLimit: v.optLimit(body, 'tpm_limit'),
    allowedModels: v.optModels(body, 'models'),
    metadata: v.optMetadata(body, 'metadata'),
    cacheMode: v.optCacheMode(body, 'cache_mode'),
    cacheTtlSeconds: v.optLimit(body, 'cache_ttl_seconds', MAX_TTL_SECONDS),
  };
}

/** The team message, plus DEL of its keys' cache entries (they embed the team). */
async function invalidateTeam(ctx: ControlContext, teamId: string): Promise<void> {
  const keys = await teamKeys(ctx.pool, teamId);
  await ctx.invalidator.team(
    teamId,
    keys.map((k) => ({ id: k.id, hashes: liveHashes(k) })),
  );
}

export const createTeamRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, FIELDS);
  const name = v.reqString(body, 'name');
  const p = readPatch(body);
  const team = await createTeam(ctx.pool, {
    name,
    kongConsumer: p.kongConsumer ?? null,
    maxBudgetNano: p.maxBudgetNano ?? null,
    budgetDuration: p.budgetDuration ?? null,
    rpmLimit: p.rpmLimit ?? null,
    tpmLimit: p.tpmLimit ?? null,
    allowedModels: p.allowedModels ?? [],
    metadata: p.metadata ?? {},
    cacheMode: p.cacheMode ?? DEFAULT_TEAM_CACHE.mode,
    cacheTtlSeconds: p.cacheTtlSeconds ?? DEFAULT_TEAM_CACHE.ttlSeconds,
  }).catch(mapConflict);
  ctx.log.info('team created', { team_id: team.id, by: req.admin.keyId });
  await ctx.invalidator.team(team.id, []);
  return { status: 201, body: teamView(team) };
};

export const listTeamsRoute: Handler = async (ctx, req) => {
  const page = v.pagination(req.query);
  const { teams, total } = await listTeams(ctx.pool, page);
  return {
    status: 200,
    body: { object: 'list', data: teams.map(teamView), total, limit: page.limit, offset: page.offset, has_more: page.offset + teams.length < total },
  };
};

export const teamInfoRoute: Handler = async (ctx, req) => {
  const team = await loadTeam(ctx, req.params.id);
  const now = Date.now();
  const window = budgetWindow(team.budgetAnchor, team.budgetDuration, now);
  const [spend, keys] = await Promise.all([
    spendSummary(ctx.pool, { kind: 'team', id: team.id, windowStart: new Date(window.start) }),
    teamKeys(ctx.pool, team.id),
  ]);
  return { status: 200, body: { ...teamView(team), ...spendView(team, spend, now), key_count: keys.length } };
};

export const updateTeamRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, FIELDS);
  if (body.name === null) v.reqString(body, 'name');
  const existing = await loadTeam(ctx, req.params.id);
  const team = await updateTeam(ctx.pool, existing.id, readPatch(body)).catch(mapConflict);
  if (!team) throw notFound('team', req.params.id);
  await invalidateTeam(ctx, team.id);
  return { status: 200, body: teamView(team) };
};

export const deleteTeamRoute: Handler = async (ctx, req) => {
  const force = req.query.get('force') === 'true';
  const existing = await loadTeam(ctx, req.params.id);
  const result = await deleteTeam(ctx.pool, existing.id, force);
  if (result.status === 'not_found') throw notFound('team', req.params.id);
  if (result.status === 'in_use') {
    // The API cannot tell who is calling: both ways of forcing are named.
    throw conflict(
      `Team ${existing.name} has ${result.activeKeys} unrevoked key(s): revoke or delete them first, or delete it with force to revoke them ` +
        '(aigw teams delete --force; in the API, DELETE /admin/teams/{team}?force=true)',
      null,
      'team_in_use',
    );
  }
  ctx.log.info('team deleted', { team_id: existing.id, revoked_keys: result.revokedKeys.length, by: req.admin.keyId });
  const changes = result.detachedKeys.map((k) => ({ id: k.id, hashes: liveHashes(k) }));
  await ctx.invalidator.keys(changes);
  await ctx.invalidator.team(existing.id, changes);
  return { status: 200, body: { id: existing.id, object: 'team', deleted: true, revoked_keys: result.revokedKeys.map((k) => k.id) } };
};
