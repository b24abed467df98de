/** Decisions about a verified key, as pure functions: easy to test, nothing to mock. */
import type { BudgetSubject, KeyRecord } from '../../lib/identity';
import { budgetSubject } from '../../lib/limits/budget';

export interface Refusal {
  status: 401 | 403;
  message: string;
  code: string;
}

/** 401 for a key that exists but may not be used (revoked or expired). */
export function keyStateRefusal(record: KeyRecord, now: number): Refusal | null {
  if (record.revoked) return { status: 401, message: 'This API key has been revoked.', code: 'revoked_api_key' };
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) {
    return { status: 401, message: 'This API key has expired.', code: 'expired_api_key' };
  }
  return null;
}

function allows(list: string[], model: string): boolean {
  return list.length === 0 || list.includes(model);
}

/** Rewrites a key's model alias, then checks the key's and the team's allow-lists. */
export function resolveModel(record: KeyRecord, requested: string): { model: string } | Refusal {
  // The requested name is the client's: never read an inherited property ("constructor").
  const alias = Object.hasOwn(record.modelAliases, requested) ? record.modelAliases[requested] : undefined;
  const model = typeof alias === 'string' ? alias : requested;
  if (!allows(record.allowedModels, model) || !allows(record.team?.allowedModels ?? [], model)) {
    return { status: 403, message: `This API key is not allowed to use the model \`${requested}\`.`, code: 'model_not_allowed' };
  }
  return { model };
}

/** The budgets this request must fit in: the key's and its team's, each in its current window. */
export function budgetSubjects(record: KeyRecord, now: number): BudgetSubject[] {
  const subjects = [budgetSubject('key', record.id, record, now), record.team ? budgetSubject('team', record.team.id, record.team, now) : null];
  return subjects.filter((s): s is BudgetSubject => s !== null);
}
