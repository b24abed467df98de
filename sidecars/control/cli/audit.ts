/** `aigw audit`: the audit log, newest first (a table or --json), filtered like GET /admin/audit. */
import { type AdminClientOptions, apiRequest } from './client';
import type { Flags } from './flags';
import { table } from './format';
import { timeFlag } from './logs';

type Obj = Record<string, unknown>;

export const AUDIT_FILTERS = ['actor', 'action', 'target', 'since', 'until', 'limit', 'before'] as const;
const COLUMNS = ['time', 'actor', 'via', 'action', 'target', 'outcome', 'status', 'client_ip'];

function lineOf(e: Obj): Obj {
  const actor = e.actor as Obj;
  const target = e.target as Obj;
  return {
    time: e.at,
    actor: actor.alias ?? actor.key_id,
    via: e.via,
    action: e.action,
    target: target.id === null ? target.type : `${target.type} ${target.id}`,
    outcome: e.outcome,
    status: e.status,
    client_ip: e.client_ip,
  };
}

export function auditQuery(f: Flags, now: number = Date.now()): URLSearchParams {
  const q = new URLSearchParams();
  for (const name of AUDIT_FILTERS) {
    const v = f[name];
    if (typeof v !== 'string') continue;
    q.set(name, name === 'since' || name === 'until' ? timeFlag(v, now) : v);
  }
  return q;
}

export async function listAudit(c: AdminClientOptions, f: Flags): Promise<{ json: unknown; human: string }> {
  const json = (await apiRequest(c, 'GET', `/admin/audit?${auditQuery(f)}`)) as Obj;
  const data = json.data as Obj[];
  const more = json.has_more ? `\n(more: --before ${json.next_before})` : '';
  return { json, human: data.length ? table(data.map(lineOf), COLUMNS) + more : '(none)' };
}
