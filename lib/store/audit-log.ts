/** The audit log (migration 012): admin changes and console sessions, newest first by id. */
import type { Queryable } from './sql';

export type AuditVia = 'cli' | 'console';

export interface AuditEntryInput {
  actorKeyId: string | null;
  via: AuditVia;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** 'ok', or the refusal's error code. */
  outcome: string;
  status: number;
  requestId: string | null;
  clientIp: string | null;
  /** Names and ids only, never a secret. */
  details: Record<string, unknown>;
}

export interface AuditEntry extends AuditEntryInput {
  id: string;
  at: Date;
  actorAlias: string | null;
}

export interface AuditQuery {
  actorKeyId?: string | null;
  action?: string | null;
  targetId?: string | null;
  since?: Date | null;
  until?: Date | null;
  /** Rows with a smaller id (keyset pagination). */
  beforeId?: string | null;
  limit: number;
}

const cut = (v: string | null, max: number): string | null => (v === null ? null : v.slice(0, max));

/** One row; the actor's alias is read from aigw_keys in the same statement. */
export async function insertAuditEntry(db: Queryable, e: AuditEntryInput): Promise<void> {
  await db.query(
    `INSERT INTO aigw_audit_log (actor_key_id, actor_alias, via, action, target_type, target_id, outcome, status, request_id, client_ip, details)
     VALUES ($1, (SELECT key_alias FROM aigw_keys WHERE id = $1), $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      e.actorKeyId,
      e.via,
      e.action.slice(0, 64),
      cut(e.targetType, 64),
      cut(e.targetId, 256),
      e.outcome.slice(0, 64),
      e.status,
      cut(e.requestId, 200),
      cut(e.clientIp, 64),
      JSON.stringify(e.details),
    ],
  );
}

export async function listAuditLog(db: Queryable, q: AuditQuery): Promise<AuditEntry[]> {
  const params: unknown[] = [];
  const where: string[] = [];
  const p = (v: unknown): string => `$${params.push(v)}`;
  if (q.actorKeyId) where.push(`actor_key_id = ${p(q.actorKeyId)}`);
  if (q.action) where.push(q.action.endsWith('.*') ? `action LIKE ${p(`${q.action.slice(0, -1)}%`)}` : `action = ${p(q.action)}`);
  if (q.targetId) where.push(`target_id = ${p(q.targetId)}`);
  if (q.since) where.push(`at >= ${p(q.since)}`);
  if (q.until) where.push(`at < ${p(q.until)}`);
  if (q.beforeId) where.push(`id < ${p(q.beforeId)}`);
  const { rows } = await db.query(
    `SELECT id::text, at, actor_key_id, actor_alias, via, action, target_type, target_id, outcome, status, request_id, client_ip, details
       FROM aigw_audit_log ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${p(q.limit)}`,
    params,
  );
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorKeyId: r.actor_key_id,
    actorAlias: r.actor_alias,
    via: r.via,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    outcome: r.outcome,
    status: r.status,
    requestId: r.request_id,
    clientIp: r.client_ip,
    details: r.details,
  }));
}
