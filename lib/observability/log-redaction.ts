/**
 * What a log line may carry. Fields are redacted by name at any depth (secrets always; prompt and
 * completion fields unless AIGW_LOG_CONTENT=on), strings are scrubbed of key shapes, errors keep
 * their message and code only, and everything is bounded (depth, items, string length) so that
 * one line costs time linear in what it keeps.
 */

export const REDACTED = '[redacted]';

/** Field names whose values are secrets: never logged, whatever the settings. */
export const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'api-key',
  'x-api-key',
  'x-goog-api-key',
  'apikey',
  'cookie',
  'set-cookie',
  'key',
  'raw',
  'raw_key',
  'password',
  'passwd',
  'secret',
  'client_secret',
  'plan_secret',
  'signing_secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'private_key',
  'signature',
  'x-aigw-plan-signature',
  'x-aigw-identity-signature',
];

/** Field names whose values are what users and models say: logged only with AIGW_LOG_CONTENT=on. */
export const CONTENT_FIELDS = [
  'prompt',
  'messages',
  'input',
  'content',
  'contents',
  'completion',
  'choices',
  'output',
  'text',
  'system',
  'system_instruction',
  'instructions',
  'body',
  'parts',
  'arguments',
  'tool_calls',
  'query',
];

export const LOG_REDACT_ENV = 'AIGW_LOG_REDACT';
export const LOG_CONTENT_ENV = 'AIGW_LOG_CONTENT';

/** Bounds on one line: deeper values, longer strings and longer lists are cut with a marker. */
export const LOG_LIMITS = { depth: 6, items: 50, keys: 100, stringChars: 4096, lineBytes: 16 * 1024, extraNames: 100 } as const;

export interface LogPolicy {
  /** Normalised names redacted at any depth. */
  redact: ReadonlySet<string>;
  /** AIGW_LOG_CONTENT=on: prompt and completion fields (and JSON excerpts in errors) are kept. */
  content: boolean;
}

/** `x-api-key`, `api_key` and `apiKey` are one name. */
export function normaliseFieldName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** The policy from AIGW_LOG_REDACT (comma-separated extra names) and AIGW_LOG_CONTENT (`on` or off). */
export function logPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): LogPolicy {
  const content = (env[LOG_CONTENT_ENV] ?? '').trim().toLowerCase() === 'on';
  const extra = (env[LOG_REDACT_ENV] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '')
    .slice(0, LOG_LIMITS.extraNames);
  const names = [...SECRET_FIELDS, ...extra, ...(content ? [] : CONTENT_FIELDS)];
  return { redact: new Set(names.map(normaliseFieldName)), content };
}

/**
 * Secret shapes scrubbed from every string: our virtual keys and provider keys (`sk-…`, `AIza…`),
 * bearer and basic credentials, credentials in URLs (`?key=`, `user:password@`).
 */
const SECRET_PATTERNS: Array<[RegExp, string]> = [
  [/\b(?:sk|rk|pk)-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{30,}/g, REDACTED],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`],
  [/([?&](?:key|api[-_]?key|token|access_token|sig|signature|password|secret)=)[^&#\s"']*/gi, `$1${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s@/]+@/gi, `$1${REDACTED}@`],
];

/** V8's JSON.parse errors quote the text they failed on: a request body's first characters. */
const JSON_EXCERPT = /(?:\.\.\.)?"(?:[^"\\]|\\.)*"(?:\.\.\.)? is not valid JSON/g;

export function scrubString(text: string, policy: LogPolicy): string {
  let out = text.length > LOG_LIMITS.stringChars ? `${text.slice(0, LOG_LIMITS.stringChars)}…[truncated ${text.length - LOG_LIMITS.stringChars} chars]` : text;
  for (const [pattern, replacement] of SECRET_PATTERNS) out = out.replace(pattern, replacement);
  if (!policy.content) out = out.replace(JSON_EXCERPT, '(input) is not valid JSON');
  return out;
}

/** An error as a log value: its name, message and code. Never its stack's locals, a body or a response. */
export function errorValue(error: Error, policy: LogPolicy): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const out: Record<string, unknown> = { name: error.name, message: scrubString(error.message, policy) };
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  return out;
}

/** `value` made safe and bounded for a log line. */
export function redactValue(value: unknown, policy: LogPolicy, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubString(value, policy);
  if (value === null || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object') return value === undefined ? undefined : `[${typeof value}]`;
  if (value instanceof Error) return errorValue(value, policy);
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[binary ${value.byteLength} bytes]`;
  if (depth >= LOG_LIMITS.depth) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) {
    const out = value.slice(0, LOG_LIMITS.items).map((item) => redactValue(item, policy, depth + 1, seen) ?? null);
    if (value.length > LOG_LIMITS.items) out.push(`[+${value.length - LOG_LIMITS.items} more]`);
    return out;
  }
  if (value instanceof Map || value instanceof Set) return `[${value.constructor.name} of ${value.size}]`;
  return redactFields(value as Record<string, unknown>, policy, depth, seen);
}

/** An object's own fields, each redacted by name or made safe by value. */
export function redactFields(fields: Record<string, unknown>, policy: LogPolicy, depth = 0, seen: WeakSet<object> = new WeakSet()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let kept = 0;
  let skipped = 0;
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    if (kept >= LOG_LIMITS.keys) {
      skipped++;
      continue;
    }
    kept++;
    const value = fields[name];
    if (value === undefined) continue;
    out[name] = policy.redact.has(normaliseFieldName(name)) ? REDACTED : redactValue(value, policy, depth + 1, seen);
  }
  if (skipped > 0) out['[more_fields]'] = skipped;
  return out;
}
