/** Flag values → API fields (the CLI's flag names are short; the API's are LiteLLM-like). */
import { tryParseDuration } from '../../../lib/limits/windows';
import { CliError } from './client';

export type Flags = Record<string, string | boolean | undefined>;

const str = (f: Flags, name: string): string | undefined => (typeof f[name] === 'string' ? (f[name] as string) : undefined);

function number(f: Flags, name: string): number | null | undefined {
  const v = str(f, name);
  if (v === undefined) return undefined;
  if (v === 'none' || v === 'null') return null;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number (or "none")`);
  return n;
}

function list(f: Flags, name: string): string[] | undefined {
  const v = str(f, name);
  if (v === undefined) return undefined;
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function json(f: Flags, name: string): unknown {
  const v = str(f, name);
  if (v === undefined) return undefined;
  try {
    return JSON.parse(v);
  } catch {
    throw new CliError(`--${name} must be JSON`);
  }
}

/** --model-aliases fast=gpt-4o-mini,smart=gpt-4o or a JSON object. */
function aliases(f: Flags, name: string): unknown {
  const v = str(f, name);
  if (v === undefined) return undefined;
  if (v.trim().startsWith('{')) return json(f, name);
  const pairs: Array<[string, string]> = [];
  for (const pair of v.split(',').filter(Boolean)) {
    const [alias, target] = pair.split('=');
    if (!alias || !target) throw new CliError(`--${name} takes alias=model pairs, e.g. fast=gpt-4o-mini`);
    pairs.push([alias.trim(), target.trim()]);
  }
  // fromEntries defines own properties: `out[alias] = ...` would set the prototype for `__proto__`.
  return Object.fromEntries(pairs);
}

/** --expires 30d (a duration from now), an ISO time, or "never". */
function expiry(f: Flags): Record<string, unknown> {
  const v = str(f, 'expires');
  if (v === undefined) return {};
  if (v === 'never') return { expires_at: null };
  return tryParseDuration(v) !== null ? { duration: v } : { expires_at: v };
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export const LIMIT_FLAGS = ['max-budget', 'budget-duration', 'rpm', 'tpm', 'models', 'metadata'] as const;
export const KEY_FLAGS = [...LIMIT_FLAGS, 'parallel', 'alias', 'user', 'expires', 'model-aliases'] as const;

export function keyBody(f: Flags): Record<string, unknown> {
  return compact({
    key_alias: str(f, 'alias'),
    user_id: str(f, 'user'),
    models: list(f, 'models'),
    model_aliases: aliases(f, 'model-aliases'),
    max_budget: number(f, 'max-budget'),
    budget_duration: str(f, 'budget-duration') === 'none' ? null : str(f, 'budget-duration'),
    rpm_limit: number(f, 'rpm'),
    tpm_limit: number(f, 'tpm'),
    max_parallel_requests: number(f, 'parallel'),
    metadata: json(f, 'metadata'),
    ...expiry(f),
  });
}

/** The flags of `teams create` and `teams update` (besides --name). */
export const TEAM_FLAGS = [...LIMIT_FLAGS, 'consumer', 'cache-mode', 'cache-ttl'] as const;

export function teamBody(f: Flags): Record<string, unknown> {
  return compact({
    name: str(f, 'name'),
    kong_consumer: str(f, 'consumer'),
    models: list(f, 'models'),
    max_budget: number(f, 'max-budget'),
    budget_duration: str(f, 'budget-duration') === 'none' ? null : str(f, 'budget-duration'),
    rpm_limit: number(f, 'rpm'),
    tpm_limit: number(f, 'tpm'),
    cache_mode: str(f, 'cache-mode'),
    // "none": the route's ttl_seconds again.
    cache_ttl_seconds: number(f, 'cache-ttl'),
    metadata: json(f, 'metadata'),
  });
}
