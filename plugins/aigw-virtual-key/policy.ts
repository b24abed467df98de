/** Decisions about a verified key, as pure functions: easy to test, nothing to mock. */
import { type GatewayError, gatewayError } from '../../lib/errors';
import { type BudgetSubject, type KeyRecord, modelNotAllowed, modelPolicyOf, resolveModelName } from '../../lib/identity';
import { budgetSubject } from '../../lib/limits/budget';
import { restoreTeamCache, type TeamCachePolicy } from '../../lib/semantic-cache/team-policy';
import { keyStrategiesOf, strategyBaseModel } from '../../lib/strategy/select';

/** 401 for a key that exists but may not be used (revoked or expired). */
export function keyStateRefusal(record: KeyRecord, now: number): GatewayError | null {
  if (record.revoked) return gatewayError(401, 'This API key has been revoked.', 'revoked_api_key');
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) return gatewayError(401, 'This API key has expired.', 'expired_api_key');
  return null;
}

/** Rewrites a key's model alias, then checks the key's and the team's allow-lists (lib/identity, the rule GET /v1/models lists by). */
export function resolveModel(record: KeyRecord, requested: string): { model: string } | GatewayError {
  const policy = modelPolicyOf(record);
  const { model, allowed } = resolveModelName(policy, requested);
  if (allowed) return { model };
  // A strategy name (`bon-3-gpt-4o`) is checked by the model it runs on; aigw-proxy checks every model its inner calls use.
  const base = strategyBaseModel(requested);
  if (base !== null && resolveModelName(policy, base).allowed) return { model: requested };
  return modelNotAllowed(requested);
}

/** The key's strategy limit for the identity (lib/strategy/select.ts), only when its metadata sets one. */
export function strategiesOf(record: KeyRecord): { strategies?: string } {
  const strategies = keyStrategiesOf(record.metadata);
  return strategies === undefined ? {} : { strategies };
}

/** The budgets this request must fit in: the key's and its team's, each in its current window. */
export function budgetSubjects(record: KeyRecord, now: number): BudgetSubject[] {
  const subjects = [budgetSubject('key', record.id, record, now), record.team ? budgetSubject('team', record.team.id, record.team, now) : null];
  return subjects.filter((s): s is BudgetSubject => s !== null);
}

/**
 * The team's cache settings for the identity: undefined for the default, so the common case adds
 * nothing to kong.ctx.shared, and for a record a node cached before teams had them.
 */
export function teamCacheOf(record: KeyRecord): TeamCachePolicy | undefined {
  return restoreTeamCache(record.team?.cache);
}
