/** The JSON the control API shows for keys, teams and their spend (snake_case, USD and nano). */

import { budgetWindow } from '../../lib/limits/windows';
import { nanoToUsd } from '../../lib/money';
import type { SpendSummary } from '../../lib/store/ledger';
import type { StoredKey, StoredTeam } from '../../lib/store/rows';
import { keyStatus } from '../../lib/store/virtual-keys';

const usd = (nano: number | null): number | null => (nano === null ? null : nanoToUsd(nano));

export function keyView(k: StoredKey, now: number = Date.now()): Record<string, unknown> {
  const graceOpen = k.previousExpiresAt !== null && new Date(k.previousExpiresAt).getTime() > now;
  return {
    object: 'key',
    id: k.id,
    key_prefix: k.keyPrefix,
    key_alias: k.keyAlias,
    team_id: k.teamId,
    team_name: k.team?.name ?? null,
    user_id: k.userId,
    role: k.role,
    models: k.allowedModels,
    model_aliases: k.modelAliases,
    max_budget: usd(k.maxBudgetNano),
    max_budget_nano: k.maxBudgetNano,
    budget_duration: k.budgetDuration,
    budget_anchor: k.budgetAnchor,
    rpm_limit: k.rpmLimit,
    tpm_limit: k.tpmLimit,
    max_parallel_requests: k.maxParallelRequests,
    expires_at: k.expiresAt,
    status: keyStatus(k, now),
    revoked: k.revoked,
    revoked_at: k.revokedAt,
    previous_key_expires_at: graceOpen ? k.previousExpiresAt : null,
    metadata: k.metadata,
    created_at: k.createdAt,
    updated_at: k.updatedAt,
    last_used_at: k.lastUsedAt,
  };
}

export function teamView(t: StoredTeam): Record<string, unknown> {
  return {
    object: 'team',
    id: t.id,
    name: t.name,
    kong_consumer: t.kongConsumer,
    max_budget: usd(t.maxBudgetNano),
    max_budget_nano: t.maxBudgetNano,
    budget_duration: t.budgetDuration,
    budget_anchor: t.budgetAnchor,
    rpm_limit: t.rpmLimit,
    tpm_limit: t.tpmLimit,
    models: t.allowedModels,
    cache_mode: t.cache.mode,
    cache_ttl_seconds: t.cache.ttlSeconds,
    metadata: t.metadata,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
  };
}

/** The current budget window of a key or team, with what was spent in it and all time. */
export function spendView(
  subject: { maxBudgetNano: number | null; budgetDuration: string | null; budgetAnchor: string },
  spend: SpendSummary,
  now: number = Date.now(),
): Record<string, unknown> {
  const window = budgetWindow(subject.budgetAnchor, subject.budgetDuration, now);
  const remaining = subject.maxBudgetNano === null ? null : Math.max(0, subject.maxBudgetNano - spend.windowNano);
  return {
    spend: nanoToUsd(spend.allTimeNano),
    spend_nano: spend.allTimeNano,
    requests: spend.requests,
    cost_unknown_requests: spend.costUnknownRequests,
    budget_window_start: new Date(window.start).toISOString(),
    budget_window_end: window.end === null ? null : new Date(window.end).toISOString(),
    window_spend: nanoToUsd(spend.windowNano),
    window_spend_nano: spend.windowNano,
    window_requests: spend.windowRequests,
    remaining_budget: usd(remaining),
    remaining_budget_nano: remaining,
  };
}
