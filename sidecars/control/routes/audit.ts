/** GET /admin/audit: the audit log, newest first, filtered by actor, action, target and time, paged by `before` (an entry id). */
import { type AuditEntry, listAuditLog } from '../../../lib/store/audit-log';
import { isUuid } from '../../../lib/store/teams';
import { getKeyByAlias } from '../../../lib/store/virtual-keys';
import { badRequest } from '../api-error';
import type { ControlContext, Handler } from '../context';
import { queryInteger, queryName, queryTime } from '../validate';
import { rejectUnknownParams } from './time-range';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const ACTION = /^[a-z_]{1,32}(\.[a-z_]{1,32}|\.\*)?$/;

export function auditView(e: AuditEntry): Record<string, unknown> {
  return {
    object: 'audit_entry',
    id: e.id,
    at: e.at.toISOString(),
    actor: { key_id: e.actorKeyId, alias: e.actorAlias },
    via: e.via,
    action: e.action,
    target: { type: e.targetType, id: e.targetId },
    outcome: e.outcome,
    status: e.status,
    request_id: e.requestId,
    client_ip: e.clientIp,
    details: e.details,
  };
}

/** An actor by key id (kept after the key is deleted) or a live key's alias. */
async function actorFilter(ctx: ControlContext, query: URLSearchParams): Promise<string | null> {
  const ref = queryName(query, 'actor');
  if (ref === undefined) return null;
  if (isUuid(ref)) return ref;
  const key = await getKeyByAlias(ctx.pool, ref);
  if (!key) throw badRequest('actor', `No key with id or alias ${ref}`, 'key_not_found');
  return key.id;
}

export const listAuditRoute: Handler = async (ctx, req) => {
  const q = req.query;
  rejectUnknownParams(q, ['actor', 'action', 'target', 'since', 'until', 'limit', 'before']);
  const action = queryName(q, 'action');
  if (action !== undefined && !ACTION.test(action)) throw badRequest('action', 'action must look like key.create, or key.* for every key action');
  const since = queryTime(q, 'since');
  const until = queryTime(q, 'until');
  if (since && until && since.getTime() >= until.getTime()) throw badRequest('since', 'since must be before until');
  const before = queryName(q, 'before');
  if (before !== undefined && !/^[1-9][0-9]{0,18}$/.test(before)) throw badRequest('before', 'before must be an audit entry id');
  const limit = queryInteger(q, 'limit', DEFAULT_LIMIT, 1, MAX_LIMIT);
  const rows = await listAuditLog(ctx.pool, {
    actorKeyId: await actorFilter(ctx, q),
    action: action ?? null,
    targetId: queryName(q, 'target') ?? null,
    since: since ?? null,
    until: until ?? null,
    beforeId: before ?? null,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const hasMore = rows.length > limit;
  return { status: 200, body: { object: 'list', data: page.map(auditView), has_more: hasMore, next_before: hasMore ? page[page.length - 1]!.id : null } };
};
