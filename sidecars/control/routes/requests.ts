/**
 * GET /admin/requests: the request log, newest first, filtered and paged by keyset (`before` = the
 * last request id of the previous page); GET /admin/requests/{request_id}: one request.
 */
import { nanoToUsd } from '../../../lib/money';
import { ERROR_TYPES, type ErrorType } from '../../../lib/observability/error-type';
import { getRequestLog, listRequestLog, type RequestLogEntry, requestLogCursor, type StatusFilter } from '../../../lib/store/request-log';
import { isUuid } from '../../../lib/store/teams';
import { getKeyByAlias } from '../../../lib/store/virtual-keys';
import { ApiError, badRequest, notFound } from '../api-error';
import type { ControlContext, Handler } from '../context';
import { queryInteger, queryName, queryTime } from '../validate';
import { teamFilter } from './team-filter';

const PARAMS = ['team', 'team_id', 'key', 'key_id', 'model', 'template', 'status', 'error_type', 'since', 'until', 'limit', 'before'];
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

export function requestView(e: RequestLogEntry): Record<string, unknown> {
  return {
    object: 'request',
    request_id: e.requestId,
    created_at: e.createdAt.toISOString(),
    key_id: e.keyId,
    key_alias: e.keyAlias,
    team_id: e.teamId,
    team_name: e.teamName,
    answered_by: e.answeredBy,
    endpoint: e.endpoint,
    client_format: e.clientFormat,
    model: e.model,
    provider: e.provider,
    provider_model: e.providerModel,
    status: e.status,
    outcome: e.outcome,
    error_type: e.errorType,
    error_code: e.errorCode,
    stream: e.stream,
    latency_ms: { first_byte: e.firstByteMs, total: e.durationMs, provider: e.providerMs, overhead: e.overheadMs },
    attempt_count: e.attemptCount,
    attempts: e.attempts,
    cache: e.cache,
    compression: e.compression,
    guardrail_actions: e.guardrailActions,
    template: e.templateName === null ? null : { name: e.templateName, version: e.templateVersion },
    route: e.route,
    trace_id: e.traceId,
    usage: e.usage && {
      prompt_tokens: e.usage.promptTokens,
      completion_tokens: e.usage.completionTokens,
      cached_tokens: e.usage.cachedTokens,
      reasoning_tokens: e.usage.reasoningTokens,
      estimated: e.usage.estimated,
    },
    cost_usd: e.costNano === null ? null : nanoToUsd(e.costNano),
  };
}

/** `200`, or a class: `4xx`. */
function statusFilter(query: URLSearchParams): StatusFilter | null {
  const v = query.get('status');
  if (v === null || v === '') return null;
  if (/^[1-5][0-9]{2}$/.test(v)) return { exact: Number(v) };
  const klass = /^([1-5])xx$/i.exec(v);
  if (klass) return { from: Number(klass[1]) * 100, to: Number(klass[1]) * 100 + 100 };
  throw badRequest('status', 'status must be an HTTP status (e.g. 429) or a class (e.g. 5xx)');
}

function errorTypeFilter(query: URLSearchParams): ErrorType | 'none' | null {
  const v = query.get('error_type');
  if (v === null || v === '') return null;
  if (v === 'none' || (ERROR_TYPES as readonly string[]).includes(v)) return v as ErrorType | 'none';
  throw badRequest('error_type', `error_type must be one of ${ERROR_TYPES.join(', ')} or none`);
}

/** A key by id (kept even after the key is deleted: the log outlives it) or alias. */
export async function keyFilter(ctx: ControlContext, query: URLSearchParams): Promise<string | null> {
  const field = query.get('key') ? 'key' : 'key_id';
  const ref = queryName(query, field);
  if (ref === undefined) return null;
  if (isUuid(ref)) return ref;
  const key = await getKeyByAlias(ctx.pool, ref);
  if (!key) throw badRequest(field, `No key with id or alias ${ref}`, 'key_not_found');
  return key.id;
}

export const listRequestsRoute: Handler = async (ctx, req) => {
  const q = req.query;
  for (const name of q.keys()) if (!PARAMS.includes(name)) throw badRequest(name, `Unknown parameter: ${name}`, 'unknown_parameter');
  const since = queryTime(q, 'since');
  const until = queryTime(q, 'until');
  if (since && until && since.getTime() >= until.getTime()) throw badRequest('since', 'since must be before until');
  const limit = queryInteger(q, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const beforeId = queryName(q, 'before');
  const before = beforeId === undefined ? null : await requestLogCursor(ctx.pool, beforeId);
  if (beforeId !== undefined && !before) throw badRequest('before', `No logged request with id ${beforeId} (it may have been purged)`, 'request_not_found');
  const rows = await listRequestLog(ctx.pool, {
    teamId: await teamFilter(ctx, q, { pastIds: true }),
    keyId: await keyFilter(ctx, q),
    model: queryName(q, 'model') ?? null,
    template: queryName(q, 'template') ?? null,
    status: statusFilter(q),
    errorType: errorTypeFilter(q),
    since,
    until,
    before,
    // One more than asked: whether there is a next page, without counting.
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return {
    status: 200,
    body: { object: 'list', data: page.map(requestView), has_more: hasMore, next_before: hasMore ? page[page.length - 1]!.requestId : null },
  };
};

export const requestInfoRoute: Handler = async (ctx, req) => {
  const id = req.params.id!;
  if (id.length > 200) throw new ApiError(400, 'A request id is at most 200 characters', 'invalid_value', 'request_id');
  const entry = await getRequestLog(ctx.pool, id);
  if (!entry) throw notFound('request', id);
  return { status: 200, body: requestView(entry) };
};
