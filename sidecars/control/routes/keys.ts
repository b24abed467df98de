/** /admin/keys: create, list, info, update, rotate, revoke, delete. */
import { generateKey, hashKey, keyPrefix } from '../../../lib/api-keys';
import type { TeamRecord } from '../../../lib/identity';
import { budgetWindow } from '../../../lib/limits/windows';
import { ConflictError } from '../../../lib/store/errors';
import { spendSummary } from '../../../lib/store/ledger';
import { liveHashes, type StoredKey } from '../../../lib/store/rows';
import { isUuid, resolveTeam } from '../../../lib/store/teams';
import { createKey, deleteKey, getKey, type KeyPatch, listKeys, revokeKey, rotateKey, updateKey } from '../../../lib/store/virtual-keys';
import { ApiError, badRequest, conflict, notFound } from '../api-error';
import type { ControlContext, Handler } from '../context';
import * as v from '../validate';
import { keyView, spendView } from '../views';
import { teamFilter } from './team-filter';

const CREATE_FIELDS = [
  'team',
  'key_alias',
  'user_id',
  'role',
  'models',
  'model_aliases',
  'max_budget',
  'budget_duration',
  'rpm_limit',
  'tpm_limit',
  'max_parallel_requests',
  'expires_at',
  'duration',
  'metadata',
] as const;
const UPDATE_FIELDS = [
  'key_alias',
  'user_id',
  'models',
  'model_aliases',
  'max_budget',
  'budget_duration',
  'rpm_limit',
  'tpm_limit',
  'max_parallel_requests',
  'expires_at',
  'duration',
  'metadata',
] as const;

/** A key's models must stay inside its team's allow-list (an empty list allows every model). */
function checkModelsWithinTeam(models: string[] | undefined, team: TeamRecord | null): void {
  if (!models?.length || !team?.allowedModels.length) return;
  const outside = models.filter((m) => !team.allowedModels.includes(m));
  if (outside.length) throw badRequest('models', `Team ${team.name} does not allow: ${outside.join(', ')}`, 'model_not_allowed');
}

function mapConflict(error: unknown): never {
  if (error instanceof ConflictError) throw conflict(error.message, error.field);
  throw error;
}

async function loadKey(ctx: ControlContext, id: string): Promise<StoredKey> {
  const key = isUuid(id) ? await getKey(ctx.pool, id) : null;
  if (!key) throw notFound('key', id);
  return key;
}

export const createKeyRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, CREATE_FIELDS);
  const now = Date.now();
  const teamRef = v.optString(body, 'team');
  const team = teamRef ? await resolveTeam(ctx.pool, teamRef) : null;
  if (teamRef && !team) throw badRequest('team', `No team with id or name ${teamRef}`, 'team_not_found');
  const models = v.optModels(body, 'models') ?? [];
  checkModelsWithinTeam(models, team);
  const raw = generateKey();
  const key = await createKey(ctx.pool, {
    keyHash: hashKey(raw),
    keyPrefix: keyPrefix(raw),
    keyAlias: v.optString(body, 'key_alias') ?? null,
    teamId: team?.id ?? null,
    userId: v.optString(body, 'user_id') ?? null,
    role: v.optRole(body, 'role') ?? 'user',
    allowedModels: models,
    modelAliases: v.optAliases(body, 'model_aliases') ?? {},
    maxBudgetNano: v.optBudget(body, 'max_budget') ?? null,
    budgetDuration: v.optDuration(body, 'budget_duration') ?? null,
    rpmLimit: v.optLimit(body, 'rpm_limit') ?? null,
    tpmLimit: v.optLimit(body, 'tpm_limit') ?? null,
    maxParallelRequests: v.optLimit(body, 'max_parallel_requests') ?? null,
    expiresAt: v.optExpiry(body, now, false) ?? null,
    metadata: v.optMetadata(body, 'metadata') ?? {},
  }).catch(mapConflict);
  ctx.log.info('key created', { key_id: key.id, key_prefix: key.keyPrefix, team_id: key.teamId, by: req.admin.keyId });
  // A brand-new hash cannot be cached yet, but a negative-cache entry for it could be.
  await ctx.invalidator.keys([{ id: key.id, hashes: [key.keyHash] }]);
  return { status: 201, body: { key: raw, ...keyView(key) } };
};

export const listKeysRoute: Handler = async (ctx, req) => {
  const page = v.pagination(req.query);
  const teamId = await teamFilter(ctx, req.query, { pastIds: false });
  const { keys, total } = await listKeys(ctx.pool, { teamId, ...page });
  const now = Date.now();
  return {
    status: 200,
    body: {
      object: 'list',
      data: keys.map((k) => keyView(k, now)),
      total,
      limit: page.limit,
      offset: page.offset,
      has_more: page.offset + keys.length < total,
    },
  };
};

export const keyInfoRoute: Handler = async (ctx, req) => {
  const key = await loadKey(ctx, req.params.id);
  const now = Date.now();
  const window = budgetWindow(key.budgetAnchor, key.budgetDuration, now);
  const spend = await spendSummary(ctx.pool, { kind: 'key', id: key.id, windowStart: new Date(window.start) });
  return { status: 200, body: { ...keyView(key, now), ...spendView(key, spend, now) } };
};

export const updateKeyRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, UPDATE_FIELDS);
  const existing = await loadKey(ctx, req.params.id);
  const patch: KeyPatch = {
    keyAlias: v.optString(body, 'key_alias'),
    userId: v.optString(body, 'user_id'),
    allowedModels: v.optModels(body, 'models'),
    modelAliases: v.optAliases(body, 'model_aliases'),
    maxBudgetNano: v.optBudget(body, 'max_budget'),
    budgetDuration: v.optDuration(body, 'budget_duration'),
    rpmLimit: v.optLimit(body, 'rpm_limit'),
    tpmLimit: v.optLimit(body, 'tpm_limit'),
    maxParallelRequests: v.optLimit(body, 'max_parallel_requests'),
    // A past expires_at is allowed here: it is how an admin expires a key now.
    expiresAt: v.optExpiry(body, Date.now(), true),
    metadata: v.optMetadata(body, 'metadata'),
  };
  checkModelsWithinTeam(patch.allowedModels, existing.team);
  const key = await updateKey(ctx.pool, existing.id, patch).catch(mapConflict);
  if (!key) throw notFound('key', req.params.id);
  await ctx.invalidator.keys([{ id: key.id, hashes: liveHashes(key) }]);
  return { status: 200, body: keyView(key) };
};

export const rotateKeyRoute: Handler = async (ctx, req) => {
  const body = v.asObject(await req.body());
  v.rejectUnknown(body, ['grace_period']);
  const grace = v.optDuration(body, 'grace_period');
  const graceMs = v.optDurationMs(body, 'grace_period') ?? 0;
  const existing = await loadKey(ctx, req.params.id);
  if (existing.revoked) throw conflict('A revoked key cannot be rotated; create a new key', null, 'key_revoked');
  const raw = generateKey();
  const rotation = await rotateKey(ctx.pool, existing.id, { keyHash: hashKey(raw), keyPrefix: keyPrefix(raw), graceMs });
  if (!rotation) throw new ApiError(409, 'The key was revoked or deleted meanwhile', 'key_revoked');
  ctx.log.info('key rotated', { key_id: existing.id, key_prefix: rotation.key.keyPrefix, grace_period: grace ?? null, by: req.admin.keyId });
  await ctx.invalidator.keys([{ id: existing.id, hashes: [...rotation.oldHashes, rotation.key.keyHash] }]);
  return { status: 200, body: { key: raw, ...keyView(rotation.key) } };
};

export const revokeKeyRoute: Handler = async (ctx, req) => {
  const existing = await loadKey(ctx, req.params.id);
  const key = await revokeKey(ctx.pool, existing.id);
  if (!key) throw notFound('key', req.params.id);
  ctx.log.info('key revoked', { key_id: key.id, key_prefix: key.keyPrefix, by: req.admin.keyId });
  await ctx.invalidator.keys([{ id: key.id, hashes: liveHashes(key) }]);
  return { status: 200, body: keyView(key) };
};

export const deleteKeyRoute: Handler = async (ctx, req) => {
  const existing = await loadKey(ctx, req.params.id);
  const key = await deleteKey(ctx.pool, existing.id);
  if (!key) throw notFound('key', req.params.id);
  ctx.log.info('key deleted', { key_id: key.id, key_prefix: key.keyPrefix, by: req.admin.keyId });
  await ctx.invalidator.keys([{ id: key.id, hashes: liveHashes(key) }]);
  return { status: 200, body: { id: key.id, object: 'key', deleted: true } };
};
