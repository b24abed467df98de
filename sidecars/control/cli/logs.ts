/**
 * `aigw logs`: the request log, newest first (a table or --json); `aigw logs ID`: one request in
 * detail; `--follow`: polls for new rows every FOLLOW_INTERVAL_MS until Ctrl-C.
 */
import { tryParseDuration } from '../../../lib/limits/windows';
import { type AdminClientOptions, apiRequest, CliError } from './client';
import type { Flags } from './flags';
import { block, table } from './format';

type Obj = Record<string, unknown>;

export const LOGS_FILTERS = ['team', 'key', 'model', 'template', 'status', 'error-type', 'since', 'until', 'limit'] as const;
export const FOLLOW_INTERVAL_MS = 2000;
/** --follow asks for rows that started this long before the newest it has shown: answers logged when they end. */
const FOLLOW_LOOKBACK_MS = 10 * 60_000;
const FOLLOW_PAGE = 500;

const COLUMNS = ['time', 'request_id', 'status', 'error_type', 'answered_by', 'model', 'provider', 'team', 'key', 'ms', 'attempts', 'tokens', 'cost_usd'];

/** What a terminal line shows of a logged request. */
function lineOf(r: Obj): Obj {
  const usage = r.usage as Obj | null;
  const latency = r.latency_ms as Obj;
  return {
    time: r.created_at,
    request_id: r.request_id,
    status: r.status,
    error_type: r.error_type,
    answered_by: r.answered_by,
    model: r.model,
    provider: r.provider,
    team: r.team_name ?? r.team_id,
    key: r.key_alias ?? r.key_id,
    ms: latency.total,
    attempts: r.attempt_count,
    tokens: usage ? (usage.prompt_tokens as number) + (usage.completion_tokens as number) : null,
    cost_usd: r.cost_usd,
  };
}

/** --since/--until: an ISO time, or a duration back from now (15m, 1h, 7d). */
export function timeFlag(value: string, now: number): string {
  const ms = tryParseDuration(value);
  return ms === null ? value : new Date(now - ms).toISOString();
}

export function logsQuery(f: Flags, now: number = Date.now()): URLSearchParams {
  const q = new URLSearchParams();
  const str = (name: string): string | undefined => (typeof f[name] === 'string' ? (f[name] as string) : undefined);
  for (const name of ['team', 'key', 'model', 'template', 'status', 'limit']) if (str(name)) q.set(name, str(name)!);
  if (str('error-type')) q.set('error_type', str('error-type')!);
  if (str('since')) q.set('since', timeFlag(str('since')!, now));
  if (str('until')) q.set('until', timeFlag(str('until')!, now));
  return q;
}

export async function listLogs(c: AdminClientOptions, f: Flags): Promise<{ json: unknown; human: string }> {
  const json = (await apiRequest(c, 'GET', `/admin/requests?${logsQuery(f)}`)) as Obj;
  const data = json.data as Obj[];
  const more = json.has_more ? `\n(more: narrow the filters, or --limit; the API pages on with ?before=${json.next_before})` : '';
  return { json, human: data.length ? table(data.map(lineOf), COLUMNS) + more : '(none)' };
}

export async function showLog(c: AdminClientOptions, id: string): Promise<{ json: unknown; human: string }> {
  const json = (await apiRequest(c, 'GET', `/admin/requests/${encodeURIComponent(id)}`)) as Obj;
  const { attempts, ...rest } = json;
  const list = attempts as Obj[];
  const human = block(rest) + (list.length ? `\n\nattempts\n${table(list, ['provider', 'model', 'result', 'status', 'error_type', 'ms'])}` : '');
  return { json, human };
}

export interface FollowIo {
  write(text: string): void;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

/**
 * Prints each new row once, oldest first, as a table line (or a JSON line with --json), until
 * the signal aborts. The ids shown are remembered only while they are inside the lookback.
 */
export async function followLogs(c: AdminClientOptions, f: Flags, io: FollowIo): Promise<void> {
  const shown = new Map<string, number>();
  let newest = Date.now();
  // --since still bounds what is shown; the window follows the newest row shown.
  const floor = typeof f.since === 'string' ? Date.parse(timeFlag(f.since, newest)) : Number.NEGATIVE_INFINITY;
  if (Number.isNaN(floor)) throw new CliError('--since must be an ISO 8601 time or a duration such as 15m (since)');
  let header = true;
  const aborted = new Promise<null>((resolve) => io.signal.addEventListener('abort', () => resolve(null), { once: true }));
  while (!io.signal.aborted) {
    const since = Math.max(newest - FOLLOW_LOOKBACK_MS, floor);
    const q = logsQuery({ ...f, since: new Date(since).toISOString(), limit: String(FOLLOW_PAGE) });
    const json = (await Promise.race([apiRequest(c, 'GET', `/admin/requests?${q}`), aborted])) as Obj | null;
    if (!json) break;
    const fresh = (json.data as Obj[]).filter((r) => !shown.has(r.request_id as string)).reverse();
    for (const r of fresh) {
      const at = Date.parse(r.created_at as string);
      shown.set(r.request_id as string, at);
      newest = Math.max(newest, at);
    }
    for (const [id, at] of shown) if (at < since) shown.delete(id);
    if (fresh.length > 0) {
      if (f.json) io.write(fresh.map((r) => JSON.stringify(r)).join('\n') + '\n');
      else {
        const lines = table(fresh.map(lineOf), COLUMNS).split('\n');
        io.write((header ? lines : lines.slice(1)).join('\n') + '\n');
        header = false;
      }
    }
    await pause(FOLLOW_INTERVAL_MS, io.signal);
  }
}
