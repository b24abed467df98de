/**
 * Field readers for request bodies and query strings. Each names the offending field in the
 * 400's `param`, so the SDKs and the CLI can point at it. Unknown fields are refused, not ignored:
 * a misspelt `max_budgte` must not silently create a key without a budget.
 */
import { usdToNano } from '../../lib/identity';
import { tryParseDuration } from '../../lib/limits/windows';
import { badRequest } from './api-error';

export type Body = Record<string, unknown>;

export function asObject(value: unknown, param: string | null = null): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest(param, `${param ?? 'Request body'} must be a JSON object`, 'invalid_type');
  return value as Body;
}

export function rejectUnknown(body: Body, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw badRequest(field, `Unknown parameter: ${field}`, 'unknown_parameter');
  }
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** A non-empty string without control characters, or null when absent/null and not required. */
export function optString(body: Body, field: string, max = 200): string | null | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw badRequest(field, `${field} must be a string`, 'invalid_type');
  if (v.trim() === '' || v.length > max || CONTROL_CHARS.test(v)) throw badRequest(field, `${field} must be 1 to ${max} printable characters`);
  return v;
}

export function reqString(body: Body, field: string, max = 200): string {
  const v = optString(body, field, max);
  if (v === undefined || v === null) throw badRequest(field, `Missing required parameter: ${field}`, 'missing_required_parameter');
  return v;
}

/** A positive integer limit (requests, tokens, parallel requests), or null for "no limit". */
export function optLimit(body: Body, field: string): number | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2_147_483_647) {
    throw badRequest(field, `${field} must be a positive integer or null`, typeof v === 'number' ? 'invalid_value' : 'invalid_type');
  }
  return v;
}

/** USD amount → nano-USD. */
export function optBudget(body: Body, field: string): number | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1e9) {
    throw badRequest(field, `${field} must be a non-negative USD amount or null`, typeof v === 'number' ? 'invalid_value' : 'invalid_type');
  }
  return usdToNano(v);
}

export function optDuration(body: Body, field: string): string | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'string' || tryParseDuration(v) === null) {
    throw badRequest(field, `${field} must be a duration such as "30s", "15m", "1h", "30d" or "1w"`, typeof v === 'string' ? 'invalid_value' : 'invalid_type');
  }
  return v;
}

export function optModels(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (!Array.isArray(v) || v.some((m) => typeof m !== 'string' || m.trim() === '' || m.length > 200)) {
    throw badRequest(field, `${field} must be a list of model names`, 'invalid_type');
  }
  return [...new Set(v as string[])];
}

export function optAliases(body: Body, field: string): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return {};
  const o = asObject(v, field);
  for (const [alias, target] of Object.entries(o)) {
    if (alias.trim() === '' || typeof target !== 'string' || target.trim() === '') {
      throw badRequest(field, `${field} must map alias names to model names, e.g. {"fast": "gpt-4o-mini"}`, 'invalid_type');
    }
  }
  return o as Record<string, string>;
}

export function optMetadata(body: Body, field: string): Record<string, unknown> | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return {};
  const o = asObject(v, field);
  if (JSON.stringify(o).length > 16_384) throw badRequest(field, `${field} must be at most 16 KiB of JSON`);
  return o;
}

export function optRole(body: Body, field: string): 'user' | 'admin' | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (v !== 'user' && v !== 'admin') throw badRequest(field, `${field} must be "user" or "admin"`);
  return v;
}

export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badRequest(field, `${field} must be true or false`, 'invalid_type');
  return v;
}

/**
 * Expiry from `expires_at` (ISO time or null = never) or `duration` (from now); not both.
 * Undefined when neither is given.
 */
export function optExpiry(body: Body, now: number, allowPast: boolean): Date | null | undefined {
  if (body.expires_at !== undefined && body.duration !== undefined) {
    throw badRequest('duration', 'Give expires_at or duration, not both');
  }
  if (body.duration !== undefined) {
    if (body.duration === null) return null;
    const d = optDuration(body, 'duration')!;
    return new Date(now + tryParseDuration(d)!);
  }
  const v = body.expires_at;
  if (v === undefined || v === null) return v as undefined | null;
  const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
  if (!at || Number.isNaN(at.getTime())) throw badRequest('expires_at', 'expires_at must be an ISO 8601 time or null', 'invalid_type');
  if (!allowPast && at.getTime() <= now) throw badRequest('expires_at', 'expires_at must be in the future');
  return at;
}

/** ?limit=&offset= with sane bounds. */
export function pagination(query: URLSearchParams): { limit: number; offset: number } {
  const limit = query.has('limit') ? Number(query.get('limit')) : 100;
  const offset = query.has('offset') ? Number(query.get('offset')) : 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badRequest('limit', 'limit must be an integer from 1 to 1000');
  if (!Number.isInteger(offset) || offset < 0) throw badRequest('offset', 'offset must be a non-negative integer');
  return { limit, offset };
}

export function queryTime(query: URLSearchParams, field: string): Date | undefined {
  const v = query.get(field);
  if (v === null || v === '') return undefined;
  const at = /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
  if (!at || Number.isNaN(at.getTime())) throw badRequest(field, `${field} must be an ISO 8601 time`);
  return at;
}
