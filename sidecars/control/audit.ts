/**
 * What the control API writes to the audit log for one change: the action the route names, its
 * target (the id in the path, else the id the answer created), how it ended, and, as details, the
 * names of the fields sent and the path's other parameters: never their values, so never a secret.
 */
import type { Logger } from '../../lib/log';
import { type AuditEntryInput, type AuditVia, insertAuditEntry } from '../../lib/store/audit-log';
import type { Queryable } from '../../lib/store/sql';
import { ApiError } from './api-error';

export interface AuditWriter {
  write(entry: AuditEntryInput): Promise<void>;
}

/** An audit row that cannot be written is logged, never turned into a failed change (it already happened). */
export function auditWriter(db: Queryable, log: Logger, onFailure: () => void = () => undefined): AuditWriter {
  return {
    write: (entry) =>
      insertAuditEntry(db, entry).catch((error: unknown) => {
        onFailure();
        log.error('audit log write failed', { action: entry.action, outcome: entry.outcome, error: (error as Error).message });
      }),
  };
}

export interface ChangeSeen {
  action: string;
  actorKeyId: string;
  via: AuditVia;
  params: Record<string, string>;
  body: unknown;
  requestId: string | null;
  clientIp: string;
}

const MAX_FIELDS = 32;

function fieldNames(body: unknown): string[] | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return Object.keys(body)
    .slice(0, MAX_FIELDS)
    .map((k) => k.slice(0, 64));
}

/** The id an answer names (a created key, team or prompt). */
function createdId(answer: unknown): string | null {
  if (typeof answer !== 'object' || answer === null) return null;
  const { id, name } = answer as { id?: unknown; name?: unknown };
  return typeof id === 'string' ? id : typeof name === 'string' ? name : null;
}

export function auditEntryOf(change: ChangeSeen, outcome: { status: number; answer?: unknown; error?: unknown }): AuditEntryInput {
  const { id, ...otherParams } = change.params;
  const fields = fieldNames(change.body);
  const error = outcome.error instanceof ApiError ? outcome.error : null;
  return {
    actorKeyId: change.actorKeyId,
    via: change.via,
    action: change.action,
    targetType: change.action.split('.')[0] ?? null,
    targetId: id ?? createdId(outcome.answer),
    outcome: outcome.error === undefined ? 'ok' : (error?.code ?? 'internal_error'),
    status: outcome.status,
    requestId: change.requestId,
    clientIp: change.clientIp,
    details: { ...otherParams, ...(fields?.length ? { fields } : {}), ...(error?.param ? { param: error.param } : {}) },
  };
}
