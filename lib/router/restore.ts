/**
 * A RouteDecision read back from kong.ctx.shared (lib/identity.ts restoreIdentity): through a Lua
 * table an empty list may come back as an object and a missing field stays missing, so the
 * decision is rebuilt from its fields, and anything that is not one (a plugin's bug) is dropped.
 */
import type { CascadeCheck, RouteDecision } from './decision';

const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function restoreCheck(value: unknown): CascadeCheck | null {
  if (typeof value !== 'object' || value === null) return null;
  const check = value as Record<string, unknown>;
  if (check.kind === 'json' || check.kind === 'json_schema' || check.kind === 'no_refusal') return { kind: check.kind };
  if (check.kind === 'judge' && isText(check.model) && typeof check.min_score === 'number')
    return { kind: 'judge', model: check.model, min_score: check.min_score };
  return null;
}

export function restoreRouteDecision(value: unknown): RouteDecision | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (!isText(v.router) || !isText(v.model) || !isText(v.route) || typeof v.reason !== 'string') return undefined;
  const decision: RouteDecision = { router: v.router, model: v.model, route: v.route, reason: v.reason };
  const cascade = v.cascade as Record<string, unknown> | undefined;
  if (cascade && typeof cascade === 'object' && isText(cascade.escalate_to)) {
    const checks = (Array.isArray(cascade.checks) ? cascade.checks : []).map(restoreCheck).filter((c): c is CascadeCheck => c !== null);
    decision.cascade = { escalate_to: cascade.escalate_to, checks };
  }
  return decision;
}
