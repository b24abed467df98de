/**
 * Field readers for request bodies and query strings. Each names the offending field in the
 * 400's `param`, so the SDKs and the CLI can point at it. Unknown fields are refused, not ignored:
 * a misspelt `max_budgte` must not silently create a key without a budget.
 */

import { MAX_DURATION, MAX_DURATION_MS, tryParseDuration } from '../../lib/limits/windows';
import { MAX_BUDGET_USD, usdToNano } from '../../lib/money';
import { isTeamCacheMode, TEAM_CACHE_MODES, type TeamCacheMode } from '../../lib/semantic-cache/team-policy';
import { badRequest } from './api-error';

/**
 * Times the API accepts (expiries, report ranges): from the Unix epoch to the end of year 9999,
 * so every one is a JavaScript Date, a PostgreSQL timestamptz and a four-digit ISO 8601 year.
 */
export const EARLIEST_TIME = Date.UTC(1970, 0, 1);
export const LATEST_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
/** PostgreSQL `integer`: limits and list offsets. */
const MAX_INT4 = 2_147_483_647;
/** Entries of a models list or an alias map: each plugin request walks them. */
const MAX_MODELS = 1000;
const MAX_NAME = 200;

export type Body = Record<string, unknown>;

export function asObject(value: unknown, param: string | null = null): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw badRequest(param, `${param ?? 'Request body'} must be a JSON object`, 'invalid_type');
  return value as Body;
}

export function rejectUnknown(body: Body, allowed: readonly string[]): void {
  for (const field of Object.keys(body)) {
    if (!allowed.includes(field)) throw badRequest(field, `Unknown parameter: ${field}`, 'unknown_parameter');
  }
}

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
/**
 * What PostgreSQL cannot store as text or jsonb: NUL, and a UTF-16 surrogate without its pair
 * (JSON.parse lets "\ud800" through; text would store it altered, jsonb refuses it).
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** A non-blank string of at most `max` characters without control characters or lone surrogates. */
function isPrintable(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.trim() !== '' && v.length <= max && !CONTROL_CHARS.test(v) && !UNSTORABLE.test(v);
}

/** Every string in a JSON value, keys included, is storable (walked without recursion: depth is not bounded here). */
function isStorableJson(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === 'string' && UNSTORABLE.test(v)) return false;
    if (typeof v !== 'object' || v === null) continue;
    for (const [k, child] of Object.entries(v)) {
      if (UNSTORABLE.test(k)) return false;
      stack.push(child);
    }
  }
  return true;
}

/** A non-empty string without control characters, or null when absent/null and not required. */
export function optString(body: Body, field: string, max = MAX_NAME): string | null | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return null;
  if (typeof v !== 'string') throw badRequest(field, `${field} must be a string`, 'invalid_type');
  if (!isPrintable(v, max)) throw badRequest(field, `${field} must be 1 to ${max} printable characters`);
  return v;
}

export function reqString(body: Body, field: string, max = 200): string {
  const v = optString(body, field, max);
  if (v === undefined || v === null) throw badRequest(field, `Missing required parameter: ${field}`, 'missing_required_parameter');
  return v;
}

/** A positive integer up to `max` (a limit on requests, tokens or parallel requests; a TTL), or null: no limit, or the route's TTL. */
export function optLimit(body: Body, field: string, max = MAX_INT4): number | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > max) {
    throw badRequest(field, `${field} must be an integer from 1 to ${max}, or null`, typeof v === 'number' ? 'invalid_value' : 'invalid_type');
  }
  return v;
}

/**
 * USD amount → nano-USD, at most MAX_BUDGET_USD: budget counters add spend and reservations as
 * integers in Redis, and a larger budget would make every request of its key fail there.
 */
export function optBudget(body: Body, field: string): number | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_BUDGET_USD) {
    throw badRequest(
      field,
      `${field} must be a USD amount from 0 to ${MAX_BUDGET_USD.toLocaleString('en-US')}, or null`,
      typeof v === 'number' ? 'invalid_value' : 'invalid_type',
    );
  }
  return usdToNano(v);
}

/** A duration ("30d") of at most MAX_DURATION, with its length in ms. */
function readDuration(body: Body, field: string): { text: string; ms: number } | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  const ms = typeof v === 'string' ? tryParseDuration(v) : null;
  if (ms === null || ms > MAX_DURATION_MS) {
    throw badRequest(
      field,
      `${field} must be a duration such as "30s", "15m", "1h", "30d" or "1w", at most ${MAX_DURATION}`,
      typeof v === 'string' ? 'invalid_value' : 'invalid_type',
    );
  }
  return { text: v as string, ms };
}

export function optDuration(body: Body, field: string): string | null | undefined {
  const d = readDuration(body, field);
  return d?.text;
}

/** The same duration in milliseconds. */
export function optDurationMs(body: Body, field: string): number | null | undefined {
  const d = readDuration(body, field);
  return d?.ms;
}

export function optModels(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return [];
  if (!Array.isArray(v) || v.length > MAX_MODELS || v.some((m) => !isPrintable(m, MAX_NAME))) {
    throw badRequest(field, `${field} must be a list of at most ${MAX_MODELS} model names of 1 to ${MAX_NAME} printable characters`, 'invalid_type');
  }
  return [...new Set(v as string[])];
}

export function optAliases(body: Body, field: string): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return {};
  const o = asObject(v, field);
  const entries = Object.entries(o);
  if (entries.length > MAX_MODELS || entries.some(([alias, target]) => !isPrintable(alias, MAX_NAME) || !isPrintable(target, MAX_NAME))) {
    throw badRequest(
      field,
      `${field} must map at most ${MAX_MODELS} alias names to model names (1 to ${MAX_NAME} printable characters each), e.g. {"fast": "gpt-4o-mini"}`,
      'invalid_type',
    );
  }
  return o as Record<string, string>;
}

export function optMetadata(body: Body, field: string): Record<string, unknown> | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (v === null) return {};
  const o = asObject(v, field);
  if (JSON.stringify(o).length > 16_384) throw badRequest(field, `${field} must be at most 16 KiB of JSON`);
  if (!isStorableJson(o)) throw badRequest(field, `${field} must not contain NUL characters or unpaired UTF-16 surrogates`);
  return o;
}

/** A JSON value to store as jsonb (a template definition): refused when PostgreSQL could not store its strings. */
export function storableJson(value: unknown, field: string): unknown {
  if (!isStorableJson(value)) throw badRequest(field, `${field} must not contain NUL characters or unpaired UTF-16 surrogates`);
  return value;
}

export function optRole(body: Body, field: string): 'user' | 'admin' | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (v !== 'user' && v !== 'admin') throw badRequest(field, `${field} must be "user" or "admin"`);
  return v;
}

/** A team's cache mode; null is refused (the mode always has a value: "on" is the default). */
export function optCacheMode(body: Body, field: string): TeamCacheMode | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (!isTeamCacheMode(v)) {
    const modes = TEAM_CACHE_MODES.map((m) => `"${m}"`).join(', ');
    throw badRequest(field, `${field} must be one of ${modes}`, typeof v === 'string' ? 'invalid_value' : 'invalid_type');
  }
  return v;
}

export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw badRequest(field, `${field} must be true or false`, 'invalid_type');
  return v;
}

/** An ISO 8601 time between EARLIEST_TIME and LATEST_TIME, or null when the text is not one. */
function readTime(v: unknown): Date | null {
  const at = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? new Date(v) : null;
  if (!at || Number.isNaN(at.getTime()) || at.getTime() < EARLIEST_TIME || at.getTime() > LATEST_TIME) return null;
  return at;
}

const TIME_RANGE = 'between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z';

/**
 * Expiry from `expires_at` (ISO time or null = never) or `duration` (from now); not both.
 * Undefined when neither is given.
 */
export function optExpiry(body: Body, now: number, allowPast: boolean): Date | null | undefined {
  if (body.expires_at !== undefined && body.duration !== undefined) {
    throw badRequest('duration', 'Give expires_at or duration, not both');
  }
  if (body.duration !== undefined) {
    const ms = optDurationMs(body, 'duration');
    return ms === null || ms === undefined ? null : new Date(now + ms);
  }
  const v = body.expires_at;
  if (v === undefined || v === null) return v as undefined | null;
  const at = readTime(v);
  if (!at)
    throw badRequest('expires_at', `expires_at must be an ISO 8601 time ${TIME_RANGE}, or null`, typeof v === 'string' ? 'invalid_value' : 'invalid_type');
  if (!allowPast && at.getTime() <= now) throw badRequest('expires_at', 'expires_at must be in the future');
  return at;
}

/** A query parameter of decimal digits within [min, max]; `fallback` when absent. */
export function queryInteger(query: URLSearchParams, field: string, fallback: number, min: number, max: number): number {
  const v = query.get(field);
  if (v === null) return fallback;
  const n = /^[0-9]{1,10}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw badRequest(field, `${field} must be an integer from ${min} to ${max}`);
  return n;
}

/** ?limit=&offset= with sane bounds. */
export function pagination(query: URLSearchParams): { limit: number; offset: number } {
  return { limit: queryInteger(query, 'limit', 100, 1, 1000), offset: queryInteger(query, 'offset', 0, 0, MAX_INT4) };
}

/** A name or id in the query string (`?team=`), printable like the body's names; undefined when absent or empty. */
export function queryName(query: URLSearchParams, field: string): string | undefined {
  const v = query.get(field);
  if (v === null || v === '') return undefined;
  if (!isPrintable(v, MAX_NAME)) throw badRequest(field, `${field} must be 1 to ${MAX_NAME} printable characters`);
  return v;
}

export function queryTime(query: URLSearchParams, field: string): Date | undefined {
  const v = query.get(field);
  if (v === null || v === '') return undefined;
  const at = readTime(v);
  if (!at) throw badRequest(field, `${field} must be an ISO 8601 time ${TIME_RANGE}`);
  return at;
}
