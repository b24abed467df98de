/**
 * Guardrail events from the request log's guardrail_actions (`detector:action` entries, the
 * answer's marked `response:`): counts by phase, detector and action, and the latest requests a
 * detector acted on. Names only: the log never holds what matched.
 */
import type { Queryable } from './sql';

export interface GuardrailCount {
  phase: 'request' | 'response';
  detector: string;
  action: string;
  count: number;
}

export interface GuardrailEvent {
  requestId: string;
  createdAt: Date;
  keyId: string | null;
  keyAlias: string | null;
  teamName: string | null;
  model: string | null;
  status: number;
  actions: string[];
}

/** `pii:redact` or `response:secrets:block` → its parts; null for anything else. */
export function parseGuardrailEntry(entry: string): Omit<GuardrailCount, 'count'> | null {
  const parts = entry.split(':');
  if (parts.length === 3 && parts[0] === 'response') return { phase: 'response', detector: parts[1]!, action: parts[2]! };
  if (parts.length === 2) return { phase: 'request', detector: parts[0]!, action: parts[1]! };
  return null;
}

export async function guardrailCounts(db: Queryable, since: Date, until: Date): Promise<GuardrailCount[]> {
  const { rows } = await db.query(
    `SELECT a AS entry, count(*)::text AS c
       FROM aigw_request_log r, unnest(string_to_array(r.guardrail_actions, ',')) AS a
      WHERE r.created_at >= $1 AND r.created_at < $2 AND r.guardrail_actions IS NOT NULL
      GROUP BY a ORDER BY count(*) DESC, a`,
    [since, until],
  );
  return rows.flatMap((row) => {
    const parsed = parseGuardrailEntry(row.entry as string);
    return parsed ? [{ ...parsed, count: Number(row.c) }] : [];
  });
}

export async function recentGuardrailEvents(db: Queryable, since: Date, until: Date, limit: number): Promise<GuardrailEvent[]> {
  const { rows } = await db.query(
    `SELECT r.request_id, r.created_at, r.key_id, k.key_alias, t.name AS team_name, r.model, r.status, r.guardrail_actions
       FROM aigw_request_log r LEFT JOIN aigw_keys k ON k.id = r.key_id LEFT JOIN aigw_teams t ON t.id = r.team_id
      WHERE r.created_at >= $1 AND r.created_at < $2 AND r.guardrail_actions IS NOT NULL
      ORDER BY r.created_at DESC, r.request_id DESC LIMIT $3`,
    [since, until, limit],
  );
  return rows.map((r) => ({
    requestId: r.request_id,
    createdAt: r.created_at,
    keyId: r.key_id,
    keyAlias: r.key_alias,
    teamName: r.team_name,
    model: r.model,
    status: r.status,
    actions: (r.guardrail_actions as string).split(','),
  }));
}
