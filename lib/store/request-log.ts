/**
 * The request log: one row per request (who, endpoint, model, target, attempts, status, error
 * type, latencies, cache and compression outcome), written in batches by the relay and the plugins
 * that answer themselves, read newest first by the control API, purged after its retention.
 * Tokens and cost are the spend ledger's, joined on request_id. Never prompt or completion text.
 */
import type { ErrorType } from '../observability/error-type';
import type { Queryable } from './sql';

/** At most this many attempts are kept per row (attempt_count says how many there were). */
export const MAX_LOGGED_ATTEMPTS = 16;

export interface LoggedAttempt {
  provider: string;
  model: string;
  /** `ok`, or why it failed (the relay's FailureKind). */
  result: string;
  status: number;
  error_type: ErrorType | null;
  ms: number;
}

export type CacheOutcome = 'exact' | 'semantic' | 'miss';

export interface RequestLogRow {
  /** Kong request id (the client's x-kong-request-id). */
  requestId: string;
  /** When the request started (Date or epoch ms). */
  createdAt: Date | number;
  keyId: string | null;
  teamId: string | null;
  /** 'relay', or the plugin that answered. */
  answeredBy: string;
  endpoint: string | null;
  clientFormat: string | null;
  model: string | null;
  provider: string | null;
  providerModel: string | null;
  attempts: LoggedAttempt[];
  status: number;
  outcome: string | null;
  errorType: ErrorType | null;
  errorCode: string | null;
  stream: boolean;
  firstByteMs: number | null;
  durationMs: number | null;
  providerMs: number | null;
  overheadMs: number | null;
  cache: CacheOutcome | null;
  compression: string | null;
  traceId: string | null;
  /** What the guardrails did (`pii:redact`, lib/guardrails/actions.ts); a guardrail refusal names the detector that blocked. */
  guardrailActions?: string | null;
  /** The prompt template the request rendered; null for a raw prompt. */
  templateName?: string | null;
  templateVersion?: number | null;
}

const ms = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : Math.max(0, Math.round(v)));

/**
 * One multi-row INSERT (arrays unnested server-side); a request id already logged is skipped.
 * Returns how many rows were inserted.
 */
export async function insertRequestLogRows(db: Queryable, rows: RequestLogRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const col = <T>(f: (r: RequestLogRow) => T): T[] => rows.map(f);
  const { rowCount } = await db.query(
    `INSERT INTO aigw_request_log (request_id, created_at, key_id, team_id, answered_by, endpoint, client_format, model, provider,
       provider_model, attempts, attempt_count, status, outcome, error_type, error_code, stream, first_byte_ms, duration_ms, provider_ms,
       overhead_ms, cache, compression, trace_id, guardrail_actions, template_name, template_version)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::text[], $11::jsonb[], $12::int[], $13::int[], $14::text[], $15::text[], $16::text[], $17::bool[], $18::int[], $19::int[], $20::int[],
       $21::int[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[], $27::int[])
     ON CONFLICT (request_id) DO NOTHING`,
    [
      col((r) => r.requestId),
      col((r) => new Date(r.createdAt)),
      col((r) => r.keyId),
      col((r) => r.teamId),
      col((r) => r.answeredBy),
      col((r) => r.endpoint),
      col((r) => r.clientFormat),
      col((r) => r.model),
      col((r) => r.provider),
      col((r) => r.providerModel),
      col((r) => JSON.stringify(r.attempts.slice(0, MAX_LOGGED_ATTEMPTS))),
      col((r) => r.attempts.length),
      col((r) => r.status),
      col((r) => r.outcome),
      col((r) => r.errorType),
      // A provider's own code is relayed as it came: bounded here.
      col((r) => r.errorCode?.slice(0, 200) ?? null),
      col((r) => r.stream),
      col((r) => ms(r.firstByteMs)),
      col((r) => ms(r.durationMs)),
      col((r) => ms(r.providerMs)),
      col((r) => ms(r.overheadMs)),
      col((r) => r.cache),
      col((r) => r.compression),
      col((r) => r.traceId),
      col((r) => r.guardrailActions ?? null),
      col((r) => r.templateName ?? null),
      col((r) => r.templateVersion ?? null),
    ],
  );
  return rowCount ?? 0;
}

/** A logged request with what the ledger knows of it (null when it has no ledger row: refusals, token counts). */
export interface RequestLogEntry extends Omit<RequestLogRow, 'createdAt'> {
  createdAt: Date;
  guardrailActions: string | null;
  templateName: string | null;
  templateVersion: number | null;
  attemptCount: number;
  keyAlias: string | null;
  teamName: string | null;
  usage: { promptTokens: number; completionTokens: number; cachedTokens: number; reasoningTokens: number; estimated: boolean } | null;
  /** Nano-USD; null when unknown or not billed. */
  costNano: number | null;
  /** aigw-router's decision, from the ledger row (null: the client named a model, or no ledger row). */
  route: { router: string; route: string; reason: string } | null;
}

/** Status classes a filter may name: `4xx` is [400, 500). */
export type StatusFilter = { exact: number } | { from: number; to: number };

export interface RequestLogQuery {
  teamId?: string | null;
  keyId?: string | null;
  model?: string | null;
  /** Requests that rendered this prompt template. */
  template?: string | null;
  status?: StatusFilter | null;
  /** An error type, or `none` for successes. */
  errorType?: ErrorType | 'none' | null;
  since?: Date | null;
  until?: Date | null;
  /** Rows strictly older than this one (keyset pagination, newest first). */
  before?: RequestLogCursor | null;
  limit: number;
}

/** Where a page ends: the last row's time (as PostgreSQL wrote it, to the microsecond) and id. */
export interface RequestLogCursor {
  createdAt: string;
  requestId: string;
}

const SELECT = `SELECT r.*, r.created_at AS created, k.key_alias, t.name AS team_name,
       l.request_id AS billed, l.prompt_tokens, l.completion_tokens, l.cached_tokens, l.reasoning_tokens, l.usage_estimated, l.cost_nano::text AS cost,
       l.router, l.route, l.route_reason
  FROM aigw_request_log r
  LEFT JOIN aigw_spend_ledger l ON l.request_id = r.request_id
  LEFT JOIN aigw_keys k ON k.id = r.key_id
  LEFT JOIN aigw_teams t ON t.id = r.team_id`;

// biome-ignore lint/suspicious/noExplicitAny: a row as pg returns it
function entryOf(r: any): RequestLogEntry {
  return {
    requestId: r.request_id,
    createdAt: r.created,
    keyId: r.key_id,
    keyAlias: r.key_alias,
    teamId: r.team_id,
    teamName: r.team_name,
    answeredBy: r.answered_by,
    endpoint: r.endpoint,
    clientFormat: r.client_format,
    model: r.model,
    provider: r.provider,
    providerModel: r.provider_model,
    attempts: r.attempts,
    attemptCount: r.attempt_count,
    status: r.status,
    outcome: r.outcome,
    errorType: r.error_type,
    errorCode: r.error_code,
    stream: r.stream,
    firstByteMs: r.first_byte_ms,
    durationMs: r.duration_ms,
    providerMs: r.provider_ms,
    overheadMs: r.overhead_ms,
    cache: r.cache,
    compression: r.compression,
    traceId: r.trace_id,
    guardrailActions: r.guardrail_actions,
    templateName: r.template_name,
    templateVersion: r.template_version,
    usage:
      r.billed === null
        ? null
        : {
            promptTokens: r.prompt_tokens,
            completionTokens: r.completion_tokens,
            cachedTokens: r.cached_tokens,
            reasoningTokens: r.reasoning_tokens,
            estimated: r.usage_estimated,
          },
    costNano: r.cost === null ? null : Number(r.cost),
    route: r.router ? { router: r.router, route: r.route, reason: r.route_reason } : null,
  };
}

/** Logged requests matching every filter given, newest first, at most `limit`. */
export async function listRequestLog(db: Queryable, q: RequestLogQuery): Promise<RequestLogEntry[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  if (q.teamId) where.push(`r.team_id = ${p(q.teamId)}`);
  if (q.keyId) where.push(`r.key_id = ${p(q.keyId)}`);
  if (q.model) where.push(`r.model = ${p(q.model)}`);
  if (q.template) where.push(`r.template_name = ${p(q.template)}`);
  if (q.status && 'exact' in q.status) where.push(`r.status = ${p(q.status.exact)}`);
  if (q.status && 'from' in q.status) where.push(`r.status >= ${p(q.status.from)} AND r.status < ${p(q.status.to)}`);
  if (q.errorType === 'none') where.push('r.error_type IS NULL');
  else if (q.errorType) where.push(`r.error_type = ${p(q.errorType)}`);
  if (q.since) where.push(`r.created_at >= ${p(q.since)}`);
  if (q.until) where.push(`r.created_at < ${p(q.until)}`);
  if (q.before) where.push(`(r.created_at, r.request_id) < (${p(q.before.createdAt)}::timestamptz, ${p(q.before.requestId)})`);
  const { rows } = await db.query(
    `${SELECT} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.request_id DESC LIMIT ${p(q.limit)}`,
    params,
  );
  return rows.map(entryOf);
}

export async function getRequestLog(db: Queryable, requestId: string): Promise<RequestLogEntry | null> {
  const { rows } = await db.query(`${SELECT} WHERE r.request_id = $1`, [requestId]);
  return rows[0] ? entryOf(rows[0]) : null;
}

/** The cursor a logged request is (to page on from it); null when no such request is logged. */
export async function requestLogCursor(db: Queryable, requestId: string): Promise<RequestLogCursor | null> {
  const { rows } = await db.query('SELECT created_at::text AS at FROM aigw_request_log WHERE request_id = $1', [requestId]);
  return rows[0] ? { createdAt: rows[0].at, requestId } : null;
}

/**
 * Deletes rows older than `before`, at most `batch` per statement and `maxBatches` statements,
 * so one purge never holds locks or I/O for long. Returns how many rows it deleted.
 */
export async function purgeRequestLog(db: Queryable, before: Date, opts: { batch?: number; maxBatches?: number } = {}): Promise<number> {
  const batch = opts.batch ?? 5000;
  let deleted = 0;
  for (let i = 0; i < (opts.maxBatches ?? 20); i++) {
    const { rowCount } = await db.query(
      `DELETE FROM aigw_request_log WHERE request_id IN (SELECT request_id FROM aigw_request_log WHERE created_at < $1 LIMIT $2)`,
      [before, batch],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batch) break;
  }
  return deleted;
}
